"""Look-ups memoized for the length of one action call.

rasa_sdk builds a new `Tracker` for every request to the action server, so a memo kept on that object
lives exactly as long as the call: one form validation asks `required_slots` twice and validates the
order in between, and a hand-off rebuilds the conversation state; each of those used to look the order
up in the database and run the policy engine again. Keys are the inputs themselves (the slots may change
between two look-ups within one validation), so a cached answer is the answer a fresh look-up would give
within the same call.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from rasa_sdk import Tracker

from actions.services import services
from complaint_desk.policy.model import Complaint, Decision
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
    return memoized(tracker, ("order", order_id), lambda: services().orders.find(order_id))


def tickets_for_order(tracker: Tracker, order_id: str) -> list[Ticket]:
    return memoized(tracker, ("tickets_for_order", order_id), lambda: services().tickets.for_order(order_id))


def evaluate(tracker: Tracker, complaint: Complaint) -> Decision:
    return memoized(tracker, ("decision", complaint), lambda: services().policy_engine.evaluate(complaint))
