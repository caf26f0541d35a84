"""The order-number question of the complaint form (`action_ask_order_id`): a plain ask, or, when the
order found is for another product than the one the customer described, "is it this order?"."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.blocking_action import off_loop
from actions.call_cache import case_of, find_order
from actions.guarded_messages import recent_bot_texts, send_checked
from complaint_desk.case.turns import last_named
from complaint_desk.desk import shared_desk
from complaint_desk.stores.orders import Order, could_be_the_ordered_product


def product_named_elsewhere(tracker: Tracker, order: Order) -> str | None:
    """The product the customer last named, when it cannot be the one on this order (保温杯 against 扫地机器人)."""
    named = last_named(case_of(tracker).turns, "product")
    if not named or not shared_desk().product_words.names_a_product(named):
        return None  # nothing named, or a part, the box, a material, a quantity (指示灯, 盒子, 两罐)
    return None if could_be_the_ordered_product(named, order.product) else named


class ActionAskOrderId(Action):
    """Asks for the order number, or, when the order found is for another product than the one the
    customer described, whether it is the right order."""

    def name(self) -> str:
        return "action_ask_order_id"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        order_id = tracker.get_slot("order_to_confirm")
        order = await off_loop(find_order, tracker, order_id) if order_id else None
        named = product_named_elsewhere(tracker, order) if order else None
        if order is None or named is None:
            dispatcher.utter_message(response="utter_ask_order_id")
            return []
        replies = shared_desk().replies
        text = replies.text("order_product_mismatch", avoid=recent_bot_texts(tracker), order_id=order.order_id,
                            product=order.product, named=named)
        buttons = [
            {"title": replies.name_of("order_product_mismatch_buttons", "same_order"), "payload": "/affirm"},
            {"title": replies.name_of("order_product_mismatch_buttons", "other_order"), "payload": "/deny"},
        ]
        send_checked(dispatcher, tracker, text, buttons=buttons)
        return []
