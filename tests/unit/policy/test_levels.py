from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from complaint_desk.case.risk import RiskInput, assess_risk
from complaint_desk.case.turns import CustomerTurn
from complaint_desk.policy.levels import (
    complaint_level,
    load_level_table,
    parse_level_table,
    policy_category_levels,
)
from complaint_desk.policy.loader import load_policy, parse_policy
from complaint_desk.taxonomy import COMPLAINT_CATEGORIES, COMPLAINT_LEVELS, RISK_LEVELS
from tests.unit.shipped_knowledge import LEVELS, RISK, RISK_PATH

ROOT = Path(__file__).resolve().parents[3]
POLICY_PATH = ROOT / "knowledge" / "remedy_policy.yml"


@pytest.mark.parametrize(("category", "level"), [
    ("quality", "投诉"),
    ("delivery", "异议"),
    ("damaged_lost", "投诉"),
    ("after_sales", "异议"),
    ("price", "异议"),
    ("fraud", "投诉"),
    ("broken_promise", "投诉"),
    ("service", "投诉"),
    ("privacy", "升级投诉"),
    ("escalation", "升级投诉"),
])
def test_category_default_levels(category: str, level: str) -> None:
    assert complaint_level(category, "green", [f"complain_{category}"], table=LEVELS) == level


def test_category_levels_come_from_the_remedy_policy_file() -> None:
    stated = yaml.safe_load(POLICY_PATH.read_text(encoding="utf-8"))["categories"]
    table = LEVELS
    for category in COMPLAINT_CATEGORIES:
        assert table.category_levels[category] == stated[category]["level"], category
        assert complaint_level(category, "green", table=LEVELS) == stated[category]["level"], category


def test_the_risk_rules_file_does_not_repeat_the_category_levels() -> None:
    assert "category_levels" not in _raw_table()
    raw = {**_raw_table(), "category_levels": {"delivery": "投诉"}}
    with pytest.raises(ValueError, match="remedy_policy.yml"):
        parse_level_table(raw, _policy_levels())


def test_editing_the_level_in_the_policy_file_changes_the_complaint_level() -> None:
    data = yaml.safe_load(POLICY_PATH.read_text(encoding="utf-8"))
    data["categories"]["delivery"]["level"] = "投诉"
    policy = parse_policy(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    table = load_level_table(policy, RISK_PATH)
    assert complaint_level("delivery", "green", table=table) == "投诉"
    assert complaint_level("delivery", "green", table=LEVELS) == "异议"


@pytest.mark.parametrize("intents", [
    [],
    ["greet"],
    ["greet", "ask_policy"],
    ["ask_progress", "give_order_number", "thank"],
])
def test_questions_without_a_complaint_are_inquiries(intents: list[str]) -> None:
    assert complaint_level(None, "green", intents, table=LEVELS) == "咨询"


def test_category_is_read_from_the_latest_complaint_intent() -> None:
    assert complaint_level(None, None, ["greet", "complain_delivery", "give_order_number"], table=LEVELS) == "异议"
    assert complaint_level(None, None, ["complain_delivery", "complain_damaged_lost"], table=LEVELS) == "投诉"


def test_objection_with_strong_dissatisfaction_becomes_a_complaint() -> None:
    assert complaint_level("price", "yellow", ["complain_price"], table=LEVELS) == "异议"
    assert complaint_level("price", "orange", ["complain_price"], table=LEVELS) == "投诉"
    assert complaint_level("quality", "orange", ["complain_quality"], table=LEVELS) == "投诉"


@pytest.mark.parametrize("category", ["delivery", "quality", None])
def test_red_risk_is_escalated(category: str | None) -> None:
    assert complaint_level(category, "red", ["complain_delivery"], table=LEVELS) == "升级投诉"


def test_threat_intent_is_escalated() -> None:
    assert complaint_level("delivery", "green", ["complain_delivery", "threaten_escalation"], table=LEVELS) == "升级投诉"


@pytest.mark.parametrize("trigger", ["channel_threat", "repeat_same_order", "earlier_handling", "beyond_policy"])
def test_escalating_risk_factors_make_it_escalated(trigger: str) -> None:
    assert complaint_level("delivery", "yellow", ["complain_delivery"], (trigger,), table=LEVELS) == "升级投诉"


@pytest.mark.parametrize("trigger", ["sla_overdue", "high_anger", "rising_anger", "earlier_complaints"])
def test_other_risk_factors_do_not_escalate_by_themselves(trigger: str) -> None:
    assert complaint_level("delivery", "yellow", ["complain_delivery"], (trigger,), table=LEVELS) == "异议"


def test_level_from_a_real_assessment() -> None:
    turns = (CustomerTurn("快递五天没更新了", intent="complain_delivery", emotion="anxious", intensity=0.4),
             CustomerTurn("上次你们就说催一下，还是没解决", emotion="disappointed", intensity=0.5))
    assessment = assess_risk(RiskInput(turns=turns), rules=RISK)
    intents = [turn.intent for turn in turns]
    assert complaint_level("delivery", assessment.level, intents, assessment.triggers, table=LEVELS) == "升级投诉"
    assert complaint_level("delivery", assessment.level, intents, table=LEVELS) == "异议"


def test_every_result_is_one_of_the_four_levels() -> None:
    for category in (*COMPLAINT_CATEGORIES, None):
        for risk_level in (*RISK_LEVELS, None):
            assert complaint_level(category, risk_level, [], table=LEVELS) in COMPLAINT_LEVELS


def _raw_table() -> dict:
    return yaml.safe_load(RISK_PATH.read_text(encoding="utf-8"))["complaint_levels"]


def _policy_levels() -> dict[str, str]:
    return policy_category_levels(load_policy(POLICY_PATH))


def test_table_is_editable() -> None:
    raw = _raw_table()
    levels = {**_policy_levels(), "delivery": "投诉"}
    raw["escalate_at_risk"] = "orange"
    table = parse_level_table(raw, levels)
    assert complaint_level("delivery", "green", [], table=table) == "投诉"
    assert complaint_level("delivery", "orange", [], table=table) == "升级投诉"


@pytest.mark.parametrize(("key", "value"), [
    ("escalate_at_risk", "purple"),
    ("escalating_triggers", ["moon_phase"]),
    ("no_complaint_level", "闲聊"),
])
def test_bad_table_is_rejected(key: str, value: object) -> None:
    raw = _raw_table()
    raw[key] = value
    with pytest.raises(ValueError):
        parse_level_table(raw, _policy_levels())


def test_missing_category_is_rejected() -> None:
    levels = _policy_levels()
    del levels["price"]
    with pytest.raises(ValueError, match="price"):
        parse_level_table(_raw_table(), levels)


def test_unknown_level_is_rejected() -> None:
    with pytest.raises(ValueError, match="闲聊"):
        parse_level_table(_raw_table(), {**_policy_levels(), "price": "闲聊"})
