"""Slot filling: the emotion slot every turn, and the complaint form's answers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker, ValidationAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.blocking_action import off_loop
from actions.call_cache import case_of, find_order
from actions.complaint_actions import order_summary
from actions.guarded_messages import recent_bot_texts, send_checked
from actions.order_question import product_named_elsewhere
from complaint_desk.desk import shared_desk
from complaint_desk.nlu.evidence_mentions import NO_EVIDENCE
from complaint_desk.stores.orders import extract_order_id

MAX_ORDER_LOOKUP_FAILURES = 2
ORDER_ATTEMPT_INTENTS = {"give_order_number", "nlu_fallback", "deny", "affirm"}
NO_PREFERENCE_INTENTS = {"affirm", "deny", "nlu_fallback"}



class ValidatePredefinedSlots(ValidationAction):
    """Fills the featurized emotion slot from the parse result."""

    async def extract_emotion(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        emotion = (tracker.latest_message.get("emotion") or {}).get("name")
        return {"emotion": emotion} if emotion else {}


class ValidateComplaintForm(FormValidationAction):
    """Asks only for what is missing: what happened, the order, the outcome wanted, evidence if policy needs it."""

    def name(self) -> str:
        return "validate_complaint_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        required = ["problem_detail", "order_id", "desired_outcome"]
        if tracker.get_slot("order_id") and await off_loop(evidence_requested, tracker):
            required.append("evidence")
        return required

    async def extract_problem_detail(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "problem_detail":
            return {}
        return {"problem_detail": tracker.latest_message.get("text") or ""}

    async def validate_problem_detail(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"problem_detail": str(slot_value).strip() or None}

    async def extract_desired_outcome(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """"都行/你们看着办" is an answer too: the customer has no preference."""
        if tracker.get_slot("requested_slot") != "desired_outcome" or tracker.get_slot("desired_outcome"):
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return {"desired_outcome": "unspecified"} if intent in NO_PREFERENCE_INTENTS else {}

    async def extract_evidence(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "evidence":
            return {}
        kinds = shared_desk().evidence_words.kinds_mentioned(tracker.latest_message.get("text") or "")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if not kinds and intent == "affirm":
            kinds = ["photo"]
        if not kinds and intent == "deny":
            kinds = [NO_EVIDENCE]
        return {"evidence": kinds} if kinds else {}

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept an order number even where the NLU missed the entity (full-width digits, typos around it)."""
        if tracker.get_slot("requested_slot") != "order_id":
            return {}
        text = tracker.latest_message.get("text") or ""
        found = extract_order_id(text)
        if found:
            return {"order_id": found}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        awaiting_confirmation = tracker.get_slot("order_to_confirm")
        if awaiting_confirmation and intent == "affirm":
            return {"order_id": awaiting_confirmation}
        # A reply to "请提供订单号" that holds no number is a failed attempt, not a digression.
        return {"order_id": text} if intent in ORDER_ATTEMPT_INTENTS else {}

    async def validate_order_id(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        order_id: str | None = extract_order_id(str(slot_value or ""))
        awaiting_confirmation = tracker.get_slot("order_to_confirm")
        if awaiting_confirmation and order_id is None:
            # "不是" to "is it this order?" is no failed lookup: the form asks for the number again.
            return {"order_id": None, "order_to_confirm": None}
        order = await off_loop(find_order, tracker, order_id)
        if order is not None:
            if order_id != awaiting_confirmation and product_named_elsewhere(tracker, order):
                return {"order_id": None, "order_to_confirm": order_id}
            send_checked(dispatcher, tracker, order_summary(order))
            return {"order_id": order_id, "order_lookup_failures": 0, "order_to_confirm": None}
        failures = int(tracker.get_slot("order_lookup_failures") or 0) + 1
        replies = shared_desk().replies
        if failures >= MAX_ORDER_LOOKUP_FAILURES:
            message = replies.text("order_lookup_gave_up")
        elif order_id:
            message = replies.text("order_not_found", avoid=recent_bot_texts(tracker), order_id=order_id)
        else:
            message = replies.text("order_not_a_number")
        send_checked(dispatcher, tracker, message)
        # A new number replaces the order awaiting confirmation, so the re-ask is for a number, not about that order.
        return {"order_id": None, "order_lookup_failures": failures, "order_to_confirm": None}


def evidence_requested(tracker: Tracker) -> bool:
    """Ask for evidence only where an offer for this order waits on it."""
    decision = case_of(tracker).decision()
    return bool(decision and decision.evidence_needed) or tracker.get_slot("evidence") is not None
