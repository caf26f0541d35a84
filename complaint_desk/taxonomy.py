"""The fixed ids shared by the NLU data, the policy file and the actions: the one place they are defined."""

from __future__ import annotations

from typing import Literal, get_args

COMPLAINT_CATEGORIES = (
    "quality",
    "delivery",
    "damaged_lost",
    "after_sales",
    "price",
    "fraud",
    "broken_promise",
    "service",
    "privacy",
    "escalation",
)

# 咨询 inquiry, 异议 objection, 投诉 complaint, 升级投诉 escalated (in rising order).
ComplaintLevel = Literal["咨询", "异议", "投诉", "升级投诉"]
COMPLAINT_LEVELS: tuple[ComplaintLevel, ...] = get_args(ComplaintLevel)

EMOTIONS = ("angry", "anxious", "disappointed", "neutral", "satisfied")

# What the customer asks for (the desired_outcome slot; remedies say which of these they give).
OUTCOMES = (
    "refund", "return", "exchange", "reship", "repair",
    "compensation", "apology", "explanation", "price_difference",
)
# Wishes that are said, not handled (办理): an apology or an explanation is given in any case, never refused.
CARE_OUTCOMES = ("apology", "explanation")
EVIDENCE_KINDS = ("photo", "video", "carrier_record", "chat_record", "invoice")
PAYMENT_METHODS = ("alipay", "wechat", "bank_card", "cod")
# Customer segments in the policy file.
SEGMENTS = ("first_time", "frequent_informed", "frequent_unreasonable")

# Ids the policy engine understands in the policy file.
CONDITIONS = ("delivered", "not_delivered", "late", "no_reason_return_eligible")
REMEDY_KINDS = (
    "return", "refund", "exchange", "repair", "reship", "coupon",
    "fulfil", "review", "handoff", "apology", "explanation",
)
WINDOW_ANCHORS = ("receipt", "purchase")
AMOUNT_SOURCES = ("order_price",)

_ESCALATION_INTENT = "threaten_escalation"
_COMPLAINT_PREFIX = "complain_"


def category_for_intent(intent: str | None) -> str | None:
    """complain_delivery -> delivery; threaten_escalation -> escalation; others -> None."""
    if intent == _ESCALATION_INTENT:
        return "escalation"
    if intent and intent.startswith(_COMPLAINT_PREFIX):
        category = intent.removeprefix(_COMPLAINT_PREFIX)
        return category if category in COMPLAINT_CATEGORIES else None
    return None


# Escalation risk levels, lowest first, and the ids of the risk factors (knowledge/risk_rules.yml).
RISK_LEVELS = ("green", "yellow", "orange", "red")
TRIGGERS = (
    "channel_threat", "privacy", "fraud", "repeat_same_order", "earlier_complaints", "earlier_handling",
    "beyond_policy", "rising_anger", "high_anger", "sla_overdue",
)


def level_rank(level: str) -> int:
    """green 0 .. red 3; unknown levels rank as green."""
    return RISK_LEVELS.index(level) if level in RISK_LEVELS else 0
