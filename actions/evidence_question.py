"""The evidence question of the complaint form (`action_ask_evidence`), worded for what this order's offer needs:
a promised gift needs the chat record, not a photo of the goods."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.blocking_action import off_loop
from actions.call_cache import case_of
from actions.guarded_messages import send_checked
from complaint_desk.desk import shared_desk

EVIDENCE_BUTTONS = [
    {"title": "有，稍后上传", "payload": "/affirm"},
    {"title": "暂时没有", "payload": "/deny"},
]


def evidence_kinds_needed(tracker: Tracker) -> list[str]:
    """Evidence kinds, any one of which clears the check, in the policy file's order."""
    decision = case_of(tracker).decision()
    needed = decision.evidence_needed if decision else frozenset()
    return [kind for kind in shared_desk().policy.evidence_kinds if kind in needed]


class ActionAskEvidence(Action):
    def name(self) -> str:
        return "action_ask_evidence"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        kinds = await off_loop(evidence_kinds_needed, tracker)
        if not kinds:
            dispatcher.utter_message(response="utter_ask_evidence")
            return []
        names = "、".join(shared_desk().policy.evidence_kinds[kind] for kind in kinds)
        send_checked(dispatcher, tracker, shared_desk().replies.text("evidence_question", kinds=names),
                     buttons=EVIDENCE_BUTTONS)
        return []
