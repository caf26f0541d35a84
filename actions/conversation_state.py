"""What the actions know about the conversation so far: turns, profile, risk, level."""

from __future__ import annotations

from dataclasses import dataclass

from rasa_sdk import Tracker

from actions.services import services
from complaint_desk.conversation import CustomerTurn, turns_from_tracker_events
from complaint_desk.levels import complaint_level
from complaint_desk.profile import CustomerProfile, profile_customer
from complaint_desk.risk import RiskAssessment, RiskInput, assess_risk, threatened_channels


@dataclass(frozen=True)
class ConversationState:
    turns: list[CustomerTurn]
    profile: CustomerProfile
    risk: RiskAssessment
    level: str
    category: str | None
    threatened_channels: list[str]


def conversation_state(tracker: Tracker) -> ConversationState:
    turns = turns_from_tracker_events(tracker.events)
    category = tracker.get_slot("complaint_category")
    order_id = tracker.get_slot("order_id")
    order = services().orders.find(order_id) if order_id else None
    earlier = [t for t in services().tickets.for_order(order_id) if t.conversation_id != tracker.sender_id] if order_id else []
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
