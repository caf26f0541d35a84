"""What the actions know about the conversation so far: turns, profile, risk, level."""

from __future__ import annotations

from dataclasses import dataclass

from rasa_sdk import Tracker

from actions.call_cache import find_order, memoized, tickets_for_order
from complaint_desk.case.profile import CustomerProfile, profile_customer
from complaint_desk.case.risk import RiskAssessment, RiskInput, assess_risk, threatened_channels
from complaint_desk.case.turns import CustomerTurn, turns_from_tracker_events
from complaint_desk.policy.levels import complaint_level


@dataclass(frozen=True)
class ConversationState:
    turns: list[CustomerTurn]
    profile: CustomerProfile
    risk: RiskAssessment
    level: str
    category: str | None
    threatened_channels: list[str]


def conversation_state(tracker: Tracker) -> ConversationState:
    """The state for the tracker as it is now (memoized per action call on the slots and events it reads)."""
    key = ("conversation_state", tracker.get_slot("complaint_category"), tracker.get_slot("order_id"),
           len(tracker.events))
    return memoized(tracker, key, lambda: _conversation_state(tracker))


def _conversation_state(tracker: Tracker) -> ConversationState:
    turns = turns_from_tracker_events(tracker.events)
    category = tracker.get_slot("complaint_category")
    order_id = tracker.get_slot("order_id")
    order = find_order(tracker, order_id)
    earlier = [t for t in tickets_for_order(tracker, order_id) if t.conversation_id != tracker.sender_id] if order_id else []
    risk = assess_risk(
        RiskInput(
            turns=turns,
            category=category,
            repeat_on_same_order=bool(earlier),
            earlier_complaints=len(earlier),
            order_price=order.price if order else None,
        )
    )
    level = complaint_level(category, risk.level, [t.intent for t in turns], risk.triggers)
    return ConversationState(
        turns=turns,
        profile=profile_customer(turns),
        risk=risk,
        level=level,
        category=category,
        threatened_channels=threatened_channels(turns),
    )
