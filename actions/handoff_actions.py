"""Handing a conversation to a human agent: summary for the agent, honest words for the customer, bot paused."""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.blocking_action import BlockingAction
from actions.call_cache import case_of
from actions.guarded_messages import send_checked
from complaint_desk import clock
from complaint_desk.case.handoff_summary import (
    HandoffReason,
    customer_handoff_message,
)
from complaint_desk.desk import shared_desk

logger = logging.getLogger(__name__)

REASON_BY_INTENT = {
    "request_human": HandoffReason.CUSTOMER_REQUEST,
    "threaten_escalation": HandoffReason.CHANNEL_THREAT,
    "complain_privacy": HandoffReason.PRIVACY,
    "complain_fraud": HandoffReason.FRAUD,
}


def handoff_reason(tracker: Tracker, threatened: list[str]) -> HandoffReason:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent in REASON_BY_INTENT:
        return REASON_BY_INTENT[intent]
    if threatened:
        return HandoffReason.CHANNEL_THREAT
    if intent == "deny" and tracker.get_slot("ticket_id"):
        return HandoffReason.REPEAT_COMPLAINT
    if tracker.get_slot("complaint_category") == "privacy":
        return HandoffReason.PRIVACY
    return HandoffReason.CUSTOMER_REQUEST


def hand_off(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: HandoffReason | None = None
) -> list[EventType]:
    """Write the agent summary, tell the customer what happens next, and pause the bot."""
    case = case_of(tracker)
    reason = reason or handoff_reason(tracker, case.threatened_channels())
    category = tracker.get_slot("complaint_category")
    desk = shared_desk()
    desk.hand_off(tracker.sender_id, str(reason), case.handoff_summary(reason), category=category, level=case.level())
    logger.info("conversation %s handed to a human (%s)", tracker.sender_id, reason)
    send_checked(dispatcher, tracker, customer_handoff_message(reason, clock.now(), data=desk.rules.handoff))
    return [ConversationPaused()]


class ActionHandoffToHuman(BlockingAction):
    def name(self) -> str:
        return "action_handoff_to_human"

    def run_blocking(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return hand_off(dispatcher, tracker)
