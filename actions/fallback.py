"""`action_default_fallback`, Rasa's fallback, replaced: when a proposal is waiting for the customer's yes or no,
a message the bot did not understand gets the question again instead of "describe your problem"; after the
ticket, it gets the ticket."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.about_the_ticket import answer_about_the_ticket
from actions.blocking_action import off_loop
from actions.complaint_actions import CONFIRM_BUTTONS
from actions.conversation_history import action_before_latest_message
from actions.guarded_messages import send_checked
from complaint_desk.desk import shared_desk

PROPOSING_ACTIONS = {"action_propose_remedy", "action_offer_next_remedy"}


def waiting_on_a_proposal(tracker: Tracker) -> bool:
    """Whether the bot's last action before the customer's latest message asked them to accept a remedy."""
    return action_before_latest_message(tracker) in PROPOSING_ACTIONS and not tracker.get_slot("ticket_id")


class ActionDefaultFallback(Action):
    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if waiting_on_a_proposal(tracker):
            send_checked(dispatcher, tracker, shared_desk().replies.text("proposal_not_understood"),
                         buttons=CONFIRM_BUTTONS)
        elif not await off_loop(answer_about_the_ticket, dispatcher, tracker):
            # (after the ticket, what the bot did not understand is most likely about it: "工单号再发我一次")
            dispatcher.utter_message(response="utter_default")
        # As Rasa's own fallback does: the message is kept in the transcript but not in the dialogue state,
        # so a "可以" after this still answers the proposal.
        return [UserUtteranceReverted()]
