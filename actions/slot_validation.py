"""Slot filling: the emotion slot every turn, and the complaint form's answers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker, ValidationAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.guarded_messages import recent_bot_texts, send_checked
from actions.services import services
from complaint_desk.orders import extract_order_id

MAX_ORDER_LOOKUP_FAILURES = 2
ORDER_ATTEMPT_INTENTS = {"give_order_number", "nlu_fallback", "deny", "affirm"}


class ValidatePredefinedSlots(ValidationAction):
    """Fills the featurized emotion slot from the parse result, and keeps the trend."""

    async def extract_emotion(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        emotion = (tracker.latest_message.get("emotion") or {}).get("name")
        return {"emotion": emotion} if emotion else {}

    async def extract_emotion_trend(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        emotion = (tracker.latest_message.get("emotion") or {}).get("name")
        if not emotion:
            return {}
        return {"emotion_trend": [*(tracker.get_slot("emotion_trend") or []), emotion]}


class ValidateComplaintForm(FormValidationAction):
    def name(self) -> str:
        return "validate_complaint_form"

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
        # A reply to "请提供订单号" that holds no number is a failed attempt, not a digression.
        return {"order_id": text} if intent in ORDER_ATTEMPT_INTENTS else {}

    async def validate_order_id(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        order_id: str | None = extract_order_id(str(slot_value or ""))
        if order_id and services().orders.find(order_id):
            return {"order_id": order_id, "order_lookup_failures": 0}
        failures = int(tracker.get_slot("order_lookup_failures") or 0) + 1
        replies = services().replies
        if failures >= MAX_ORDER_LOOKUP_FAILURES:
            message = replies.text("order_lookup_gave_up")
        elif order_id:
            message = replies.text("order_not_found", avoid=recent_bot_texts(tracker), order_id=order_id)
        else:
            message = replies.text("order_not_a_number")
        send_checked(dispatcher, tracker, message)
        return {"order_id": None, "order_lookup_failures": failures}
