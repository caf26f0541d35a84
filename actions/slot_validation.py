"""Slot filling: the complaint form's answers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.blocking_action import off_loop
from actions.call_cache import find_order
from actions.complaint_actions import order_summary
from actions.conversation_history import set_in_reply_to_previous_message, slot_before_latest_message
from actions.guarded_messages import recent_bot_texts, send_checked
from actions.order_question import names_the_ordered_product, product_named_elsewhere
from complaint_desk.case.risk import threatened_channels
from complaint_desk.case.turns import CustomerTurn
from complaint_desk.desk import shared_desk
from complaint_desk.nlu.message_acts import HANDED_OVER_INTENTS
from complaint_desk.nlu.order_numbers import extract_order_id
from complaint_desk.taxonomy import category_for_intent

MAX_ORDER_LOOKUP_FAILURES = 2
ORDER_ATTEMPT_INTENTS = {"give_order_number", "nlu_fallback", "deny", "affirm"}
# Answers to "is it this order?" that take it as the one ("对", "可以，谢谢"). A wish alone ("给我退款就行")
# answers another question: the wish is noted and the order asked about again.
CONFIRMS_THE_ORDER = {"affirm", "thank"}
NO_PREFERENCE_INTENTS = {"affirm", "deny", "nlu_fallback"}



class ValidateComplaintForm(FormValidationAction):
    """Asks only for what is missing: what happened, the order, the outcome wanted, evidence if policy needs it."""

    def name(self) -> str:
        return "validate_complaint_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if goes_to_a_person(tracker):
            # The form steps aside (as when it finds nothing) so that the rules hand the conversation over,
            # even where the message also answered the question ("运费券有什么用？再不发货我就打12315").
            return [ActionExecutionRejected(self.form_name())]
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        # Evidence is not asked before the proposal: the offer does not depend on it, so the proposal
        # names what the ticket will need (actions/complaint_actions.py) and photos come with the upload button.
        return ["problem_detail", "order_id", "desired_outcome"]

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
        """The answer to "您希望我们怎么处理？" in the customer's own words, or a change of mind later in the form.

        Any answer counts: "都行/你们看着办", or a wish the words do not name ("尽快把发票开给我"), is no preference.
        """
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        named = shared_desk().outcome_words.read(tracker.latest_message.get("text") or "")
        if tracker.get_slot("requested_slot") == "desired_outcome":
            if not named and denies_the_order_just_found(tracker):
                return {}  # the form asks for the order number again (extract_order_id)
            if named:
                return {"desired_outcome": named}
            if tracker.get_slot("desired_outcome"):
                return {}
            answered = intent in NO_PREFERENCE_INTENTS or intent == "state_desired_outcome" or category_for_intent(intent)
            return {"desired_outcome": "unspecified"} if answered else {}
        if intent == "state_desired_outcome" and named and named != tracker.get_slot("desired_outcome"):
            return {"desired_outcome": named}
        if category_for_intent(intent) and tracker.get_slot("requested_slot") is None:
            # The complaint itself: what it asks for ("赠品没给，给我补上"), and nothing for what already
            # happened ("我已经退回去了", which the NLU may have taken for a wish to return).
            return {"desired_outcome": named}
        return {}

    async def validate_desired_outcome(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A change of mind while the form asks something else is said back, so the customer knows it was heard."""
        before = slot_before_latest_message(tracker, "desired_outcome")
        if before and slot_value and slot_value != before and tracker.get_slot("requested_slot") != "desired_outcome":
            replies = shared_desk().replies
            send_checked(dispatcher, tracker,
                         replies.text("outcome_changed", outcome=replies.name_of("outcome_names", slot_value)))
        return {"desired_outcome": slot_value}

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept an order number even where the NLU missed the entity (full-width digits, typos around it),
        and one given in the complaint itself or while the form asks something else."""
        text = tracker.latest_message.get("text") or ""
        found = extract_order_id(text)
        if tracker.get_slot("requested_slot") != "order_id":
            if not found and denies_the_order_just_found(tracker):
                return {"order_id": None}
            return {"order_id": found} if found and not tracker.get_slot("order_id") else {}
        if found:
            return {"order_id": found}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        awaiting_confirmation = tracker.get_slot("order_to_confirm")
        if awaiting_confirmation and (intent in CONFIRMS_THE_ORDER or
                                      await off_loop(names_the_ordered_product, tracker, awaiting_confirmation)):
            return {"order_id": awaiting_confirmation}
        # A reply to "请提供订单号" that holds no number is a failed attempt, not a digression.
        return {"order_id": text} if intent in ORDER_ATTEMPT_INTENTS else {}

    async def validate_order_id(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # The NLU may take a price ("扫地机器人1999") for the order number; the message itself may hold the real one.
        order_id: str | None = extract_order_id(str(slot_value or "")) or extract_order_id(
            tracker.latest_message.get("text") or "")
        if order_id is None and denies_the_order_just_found(tracker):
            return {"order_id": None, "order_to_confirm": None}
        if order_id is None and tracker.get_slot("requested_slot") != "order_id":
            # A number that is no order number (an amount, a price: "把差价300退给我") said while the form asked
            # something else is no attempt at one, and leaves the order already found alone.
            return {"order_id": slot_before_latest_message(tracker, "order_id")}
        awaiting_confirmation = tracker.get_slot("order_to_confirm")
        if awaiting_confirmation and order_id is None:
            # "不是" to "is it this order?" is no failed lookup: the form asks for the number again.
            return {"order_id": None, "order_to_confirm": None}
        order = await off_loop(find_order, tracker, order_id)
        if order is not None:
            # A number given in answer to "is it this order?" is the customer's correction: not doubted again.
            if not awaiting_confirmation and product_named_elsewhere(tracker, order):
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


def denies_the_order_just_found(tracker: Tracker) -> bool:
    """A bare "不是" right after the bot said which order it found ("查到了：坚果礼盒…您希望我们怎么处理？") is a no
    to that order, not "no preference" about the outcome."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return intent == "deny" and tracker.get_slot("requested_slot") == "desired_outcome" and \
        shared_desk().product_words.says_not_this_order(tracker.latest_message.get("text") or "") and \
        set_in_reply_to_previous_message(tracker, "order_id")


def goes_to_a_person(tracker: Tracker) -> bool:
    """A threat (whatever the intent), a request for a person or a privacy leak: the form steps aside."""
    if (tracker.latest_message.get("intent") or {}).get("name") in HANDED_OVER_INTENTS:
        return True
    return bool(threatened_channels([CustomerTurn(tracker.latest_message.get("text") or "")],
                                    shared_desk().rules.risk))
