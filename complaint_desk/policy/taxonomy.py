"""The fixed ids shared by the NLU data, the policy file and the actions."""

from __future__ import annotations

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

EMOTIONS = ("angry", "anxious", "disappointed", "neutral", "satisfied")

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

