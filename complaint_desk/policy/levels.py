"""Complaint level (seed 000 + 001): 咨询 inquiry, 异议 objection, 投诉 complaint, 升级投诉 escalated.

Table-driven. Each category's default level is `categories.<id>.level` in knowledge/remedy_policy.yml
(taken from the loaded Policy); the other rules are the `complaint_levels` section of knowledge/risk_rules.yml:
- no complaint category, only questions -> 咨询;
- the category's default level (quality -> 投诉, delivery -> 异议, privacy -> 升级投诉, ...);
- an objection with strong dissatisfaction (risk at orange or above) -> 投诉;
- outside channels, a repeated unresolved complaint, demands beyond policy or red risk -> 升级投诉.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from complaint_desk.knowledge import load_knowledge, reading
from complaint_desk.policy.model import Policy
from complaint_desk.taxonomy import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_LEVELS,
    RISK_LEVELS,
    TRIGGERS,
    ComplaintLevel,
    category_for_intent,
    level_rank,
)

_, OBJECTION, COMPLAINT, ESCALATED = COMPLAINT_LEVELS


@dataclass(frozen=True)
class LevelTable:
    category_levels: Mapping[str, ComplaintLevel]
    no_complaint_level: ComplaintLevel
    escalation_intents: frozenset[str]
    escalate_at_risk: str
    escalating_triggers: frozenset[str]
    objection_to_complaint_at_risk: str


def load_level_table(policy: Policy, path: str | Path) -> LevelTable:
    """The category levels from `policy`, the other rules from knowledge/risk_rules.yml's `complaint_levels`."""
    raw = load_knowledge(path)
    with reading(raw["complaint_levels"], "complaint_levels"):
        return parse_level_table(raw["complaint_levels"], policy_category_levels(policy))


def policy_category_levels(policy: Policy) -> dict[str, str]:
    """Each category's default level as the policy file states it (`categories.<id>.level`)."""
    return {category: entry.level for category, entry in policy.categories.items()}


def parse_level_table(raw: Mapping[str, Any], category_levels: Mapping[str, str]) -> LevelTable:
    """raw: risk_rules.yml's `complaint_levels` section; category_levels: category id -> default level."""
    if "category_levels" in raw:
        raise ValueError("category_levels does not belong here: each category's level is "
                         "categories.<id>.level in remedy_policy.yml")
    category_levels = {str(category): _level(value) for category, value in category_levels.items()}
    missing = set(COMPLAINT_CATEGORIES) - category_levels.keys()
    if missing:
        raise ValueError(f"category levels miss {sorted(missing)}")
    triggers = frozenset(raw.get("escalating_triggers") or ())
    if not triggers <= set(TRIGGERS):
        raise ValueError(f"escalating_triggers: unknown {sorted(triggers - set(TRIGGERS))}")
    for key in ("escalate_at_risk", "objection_to_complaint_at_risk"):
        if raw[key] not in RISK_LEVELS:
            raise ValueError(f"{key} must be one of {RISK_LEVELS}")
    return LevelTable(
        category_levels=category_levels,
        no_complaint_level=_level(raw["no_complaint_level"]),
        escalation_intents=frozenset(raw.get("escalation_intents") or ()),
        escalate_at_risk=raw["escalate_at_risk"],
        escalating_triggers=triggers,
        objection_to_complaint_at_risk=raw["objection_to_complaint_at_risk"],
    )


def _level(value: Any) -> ComplaintLevel:
    if value not in COMPLAINT_LEVELS:
        raise ValueError(f"{value!r} is not one of {COMPLAINT_LEVELS}")
    return value


def complaint_level(category: str | None, risk_level: str | None, intent_history: Iterable[str | None] = (),
                    risk_triggers: Iterable[str] = (), *, table: LevelTable) -> ComplaintLevel:
    """咨询 / 异议 / 投诉 / 升级投诉 for the conversation so far.

    category: taxonomy id, or None (then the latest complaint intent decides);
    risk_level: green/yellow/orange/red from assess_risk, or None;
    risk_triggers: RiskAssessment.triggers, when available.
    """
    intents = [intent for intent in intent_history if intent]
    rank = level_rank(risk_level) if risk_level else -1
    if rank >= level_rank(table.escalate_at_risk):
        return ESCALATED
    if table.escalation_intents.intersection(intents) or table.escalating_triggers.intersection(risk_triggers):
        return ESCALATED
    if category is None:
        category = next((c for c in map(category_for_intent, reversed(intents)) if c), None)
    if category is None or category not in table.category_levels:
        return table.no_complaint_level
    level = table.category_levels[category]
    if level == OBJECTION and rank >= level_rank(table.objection_to_complaint_at_risk):
        return COMPLAINT
    return level
