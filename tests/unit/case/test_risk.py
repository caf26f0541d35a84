from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from complaint_desk.case.risk import (
    RiskInput,
    assess_risk,
    beyond_policy_demands,
    level_rank,
    load_risk_rules,
    parse_risk_rules,
    threatened_channels,
)
from complaint_desk.case.turns import CustomerTurn
from complaint_desk.knowledge import KnowledgeError
from tests.unit.shipped_knowledge import RISK, RISK_PATH

CJK = re.compile(r"[\u4e00-\u9fff]")


def t(text: str, emotion: str | None = None, intensity: float = 0.0, intent: str | None = None,
      entities: tuple[dict, ...] = ()) -> CustomerTurn:
    return CustomerTurn(text, intent=intent, emotion=emotion, intensity=intensity, entities=entities)


def risk(*turns: CustomerTurn, **fields) -> object:
    return assess_risk(RiskInput(turns=turns, **fields), rules=RISK)


POLITE = (t("你好，请问七天无理由退货是从签收那天开始算吗？", "neutral", 0.1, "ask_policy"),)
THREAT_12315 = t("再不给我退款，我就去12315投诉你们", "angry", 0.6, "threaten_escalation",
                 ({"entity": "channel", "value": "12315", "start": 10, "end": 15},))


# ---------------------------------------------------------------- levels


def test_polite_question_is_green() -> None:
    result = risk(*POLITE)
    assert (result.level, result.score, result.reasons, result.label) == ("green", 0, (), "绿色")


def test_waiting_past_the_sla_is_yellow() -> None:
    result = risk(*POLITE, minutes_waited=4, first_response_sla_minutes=3)
    assert result.level == "yellow" and result.triggers == ("sla_overdue",)
    assert "已等待 4 分钟" in result.reasons[0] and "3 分钟" in result.reasons[0]


def test_waiting_far_past_the_sla_weighs_more() -> None:
    late = risk(*POLITE, minutes_waited=4, first_response_sla_minutes=3).score
    very_late = risk(*POLITE, minutes_waited=10, first_response_sla_minutes=3).score
    assert very_late > late


def test_waiting_within_the_sla_is_no_risk() -> None:
    assert risk(*POLITE, minutes_waited=2, first_response_sla_minutes=3).level == "green"


def test_demand_beyond_policy_is_yellow() -> None:
    result = risk(t("手机屏幕摔碎不是我弄的，我要求赔偿精神损失费", "angry", 0.5, "complain_quality"))
    assert result.level == "yellow" and "beyond_policy" in result.triggers
    assert "精神损失费" in " ".join(result.reasons)


def test_earlier_complaints_add_up() -> None:
    assert risk(*POLITE, earlier_complaints=1).level == "green"
    assert risk(*POLITE, earlier_complaints=3).level == "yellow"
    assert "历史投诉 3 次" in risk(*POLITE, earlier_complaints=3).reasons


def test_explicit_channel_threat_is_at_least_orange() -> None:
    result = risk(t("东西一直没发货", "disappointed", 0.4), t("不发货是吧，我给你们差评", "disappointed", 0.5))
    assert result.level == "orange"
    assert result.channels == ("review",)
    assert "差评" in result.reasons[0]


def test_12315_threat_names_the_channel() -> None:
    result = risk(THREAT_12315)
    assert level_rank(result.level) >= level_rank("orange")
    assert result.channels == ("12315",)
    assert "12315" in result.reasons[0]


@pytest.mark.parametrize(("intent", "category"), [
    ("complain_privacy", None),
    (None, "privacy"),
    ("complain_fraud", None),
    (None, "fraud"),
])
def test_privacy_and_fraud_are_at_least_orange(intent: str | None, category: str | None) -> None:
    result = risk(t("我刚下单就接到骚扰电话，对方知道我的姓名和地址", "anxious", 0.5, intent), category=category)
    assert level_rank(result.level) >= level_rank("orange")


def test_repeat_complaint_with_earlier_handling_is_orange() -> None:
    result = risk(t("上次投诉说给我补发，到现在还是没解决", "disappointed", 0.5), repeat_on_same_order=True)
    assert result.level == "orange"
    assert {"repeat_same_order", "earlier_handling"} <= set(result.triggers)
    assert "同一订单重复投诉" in result.reasons


def test_threat_with_rising_anger_is_red() -> None:
    result = risk(t("快递三天没动了", "anxious", 0.4), t("我要去黑猫投诉曝光你们！", "angry", 0.8))
    assert result.level == "red"
    assert {"channel_threat", "rising_anger"} <= set(result.triggers)
    assert result.channels == ("media", "platform")


def test_threat_on_a_repeated_complaint_is_red() -> None:
    assert risk(THREAT_12315, repeat_on_same_order=True).level == "red"
    # a review threat scores lower, so here the floor rule lifts the level
    result = risk(t("再不处理我就给差评", "disappointed", 0.5), repeat_on_same_order=True)
    assert result.level == "red"
    assert result.score < load_risk_rules(RISK_PATH).thresholds[0][1]
    assert any("至少为红色" in reason for reason in result.reasons)


def test_threat_after_unresolved_earlier_complaint_is_red() -> None:
    result = risk(t("这是我第二次投诉了，找律师跟你们谈", "angry", 0.6))
    assert result.level == "red"
    assert result.channels == ("lawyer",)


def test_many_factors_without_threat_reach_red_by_score() -> None:
    result = risk(t("又坏了，还是没解决", "disappointed", 0.4),
                  t("必须赔偿我五千元", "angry", 0.85),
                  repeat_on_same_order=True, order_price=399)
    assert result.level == "red" and "channel_threat" not in result.triggers
    assert result.score >= load_risk_rules(RISK_PATH).thresholds[0][1]


def test_reasons_are_chinese() -> None:
    result = risk(t("上次就没解决，赔我十倍，不然去12315", "angry", 0.9), repeat_on_same_order=True,
                  earlier_complaints=2, minutes_waited=9, first_response_sla_minutes=3)
    assert len(result.reasons) >= 5
    assert all(CJK.search(reason) for reason in result.reasons)


# ---------------------------------------------------------------- channel threats


def test_negated_threat_is_not_a_threat() -> None:
    result = risk(t("我不会去12315的，也不想给差评，只想把问题解决", "disappointed", 0.3))
    assert result.level == "green" and result.channels == ()


def test_negated_channel_entity_is_not_a_threat() -> None:
    text = "我不去12315，你们好好处理就行"
    turn = t(text, entities=({"entity": "channel", "value": "12315", "start": text.index("12315"), "end": 7},))
    assert threatened_channels([turn], rules=RISK) == []


def test_channel_entity_with_raw_value_maps_to_its_channel() -> None:
    turn = t("明天就去找他们", entities=({"entity": "channel", "value": "消協"},))
    assert threatened_channels([turn], rules=RISK) == ["12315"]


def test_traditional_script_threat_is_recognized() -> None:
    assert threatened_channels([t("你們再不處理，我就去消費者協會申訴")], rules=RISK) == ["12315"]


def test_threat_intent_without_channel_is_unspecified() -> None:
    result = risk(t("这事没完，我一定要投诉你们", intent="threaten_escalation"))
    assert result.channels == ("unspecified",)
    assert result.level == "orange"


def test_known_channel_from_a_slot_counts() -> None:
    assert risk(*POLITE, channels=("lawyer",)).channels == ("lawyer",)


@pytest.mark.parametrize("text", [
    "我用工商银行卡付的款",
    "订单号 835012315678 查一下物流",
    "我在抖音上看到你们的广告才买的",
])
def test_ordinary_mentions_are_not_threats(text: str) -> None:
    assert threatened_channels([t(text)], rules=RISK) == []


def test_social_media_threat_needs_a_verb() -> None:
    assert threatened_channels([t("信不信我发微博让大家避雷")], rules=RISK) == ["media"]


# ---------------------------------------------------------------- demands beyond policy


@pytest.mark.parametrize(("text", "price", "beyond"), [
    ("一千块的东西坏了，我要求赔偿五千元", 1000, True),
    ("赔我2万，不然没完", None, True),
    ("赔我两千，不然没完", 1999, False),
    ("至少补偿我三百天的会员", 100, False),
    ("就要求退我299元", 299, False),
    ("假货，我要求退一赔三", 299, False),
    ("必须给我三倍赔偿", 299, False),
    ("你们必须十倍赔偿", 299, True),
    ("这个价格比别家贵了五倍", 100, False),  # a complaint about price, not a demand
    ("我不要精神损失费，只要退款", 299, False),
    ("还要赔我误工费和精神损失费", 299, True),
])
def test_beyond_policy_demands(text: str, price: float | None, beyond: bool) -> None:
    assert bool(beyond_policy_demands([t(text)], order_price=price, rules=RISK)) is beyond


# ---------------------------------------------------------------- rules file


def _raw_rules() -> dict:
    return yaml.safe_load(RISK_PATH.read_text(encoding="utf-8"))


def test_weights_and_thresholds_come_from_the_rules_file() -> None:
    raw = _raw_rules()
    raw["factors"]["sla_overdue"]["weight"] = 45
    result = assess_risk(RiskInput(turns=POLITE, minutes_waited=4, first_response_sla_minutes=3),
                         parse_risk_rules(raw))
    assert (result.level, result.score) == ("orange", 45)


def test_unknown_factor_in_floor_is_rejected() -> None:
    raw = _raw_rules()
    raw["floors"].append({"when": ["moon_phase"], "at_least": "red"})
    with pytest.raises(ValueError, match="floors"):
        parse_risk_rules(raw)


def test_broken_file_names_the_file(tmp_path: Path) -> None:
    raw = _raw_rules()
    del raw["levels"]["red"]
    path = tmp_path / "risk.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="risk.yml"):
        load_risk_rules(path)
