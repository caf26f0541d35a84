"""The case and the look-ups behind it, memoized for the length of one action call.

rasa_sdk builds a new `Tracker` for every request to the action server, so a memo kept on that object
lives exactly as long as the call: one form validation asks `required_slots` twice and validates the
order in between, and a hand-off reads the risk the acknowledgement already computed; each of those
would otherwise look the order up again and run the policy engine again. Keys are the inputs
themselves (the slots may change between two look-ups within one validation), so a cached answer is
the answer a fresh look-up would give within the same call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from rasa_sdk import Tracker

from complaint_desk.case.case import Case, CaseLookups
from complaint_desk.desk import shared_desk
from complaint_desk.stores.orders import Order
from complaint_desk.stores.tickets import Ticket

_MEMO_ATTRIBUTE = "_complaint_desk_call_memo"
T = TypeVar("T")


def _memo(tracker: Tracker) -> dict[Hashable, Any]:
    memo = getattr(tracker, _MEMO_ATTRIBUTE, None)
    if memo is None:
        memo = {}
        setattr(tracker, _MEMO_ATTRIBUTE, memo)
    return memo


def memoized(tracker: Tracker, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` once per action call and key."""
    memo = _memo(tracker)
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def find_order(tracker: Tracker, order_id: str | None) -> Order | None:
    if not order_id:
        return None
    return memoized(tracker, ("order", order_id), lambda: shared_desk().orders.find(order_id))


def tickets_for_order(tracker: Tracker, order_id: str) -> Sequence[Ticket]:
    return memoized(tracker, ("tickets_for_order", order_id), lambda: shared_desk().tickets.for_order(order_id))


def case_of(tracker: Tracker) -> Case:
    """The case for the tracker as it is now: one per action call and state of the slots."""
    key = ("case", len(tracker.events), json.dumps(tracker.slots, sort_keys=True, ensure_ascii=False, default=str))
    lookups = CaseLookups(
        find_order=lambda order_id: find_order(tracker, order_id),
        earlier_tickets_on_order=lambda order_id, conversation_id: memoized(
            tracker, ("earlier_tickets", order_id, conversation_id),
            lambda: shared_desk().tickets.count_on_order_from_others(order_id, conversation_id)))
    return memoized(tracker, key, lambda: shared_desk().case(tracker.current_state(), lookups))
