"""The order-number question of the complaint form (`action_ask_order_id`): a plain ask, or, when the
order found is for another product than the one the customer described, "is it this order?"."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.blocking_action import off_loop
from actions.call_cache import case_of, find_order
from actions.guarded_messages import recent_bot_texts, send_checked
from complaint_desk.case.turns import CustomerTurn
from complaint_desk.desk import shared_desk
from complaint_desk.nlu.product_words import ProductWords
from complaint_desk.stores.orders import Order

_QUESTION = re.compile(r"[？?]|[吗嗎呢][\s。！!~～]*$")


def last_named_products(turns: Sequence[CustomerTurn], words: ProductWords) -> list[str]:
    """The products named in the customer's latest message that names one (a product entity or a known product
    name); empty when nothing was named, or only a part, the box, a material or a quantity (指示灯, 盒子, 两罐)."""
    for turn in reversed(turns):
        if words.names_any_product(turn.text, turn.entities):
            return words.products_named(turn.text, turn.entities)
    return []


def product_named_elsewhere(tracker: Tracker, order: Order) -> str | None:
    """The product the customer last named, when it cannot be the one on this order (保温杯 against 扫地机器人).
    A message that names two ("不是坚果那单，扫地机是…") doubts nothing if one of them can be."""
    words = shared_desk().product_words
    named = last_named_products(case_of(tracker).turns_since_the_last_ticket, words)
    if any(words.could_be(product, order.product) for product in named):
        return None
    return named[0] if named else None


def names_the_ordered_product(tracker: Tracker, order_id: str) -> bool:
    """"我写错了，是手表绑不上" or "哦对 是扫地机那单，跟手表没关系" to "订单…买的是…，是这一单吗？": the answer names
    the product on the order, asks nothing back ("手表？我说的是扫地机啊，那单不是扫地机吗？") and does not open with a
    no ("不是啊 手表早收到了")."""
    turn = case_of(tracker).latest_turn
    order = find_order(tracker, order_id)
    words = shared_desk().product_words
    if turn is None or order is None or turn.intent == "deny" or asks_back(turn.text) or \
            words.opens_with_a_denial(turn.text):
        return False
    return any(words.could_be(product, order.product) for product in words.products_named(turn.text, turn.entities))


def asks_back(text: str) -> bool:
    return bool(_QUESTION.search(text or ""))


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
