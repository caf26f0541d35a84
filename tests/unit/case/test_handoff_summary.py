from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from complaint_desk.case.handoff_summary import (
    HandoffReason,
    SummaryInput,
    customer_handoff_message,
    handoff_label,
    load_handoff_data,
    next_opening,
    parse_handoff_data,
    pick_quotes,
    summarize_for_agent,
)
from complaint_desk.case.profile import profile_customer
from complaint_desk.case.risk import RiskInput, assess_risk
from complaint_desk.case.turns import CustomerTurn
from complaint_desk.guard.checker import Guard, load_guard
from complaint_desk.knowledge import KnowledgeError
from tests.unit.shipped_knowledge import HANDOFF, HANDOFF_PATH, PROFILES, RISK

ROOT = Path(__file__).resolve().parents[3]
CJK = re.compile(r"[\u4e00-\u9fff]")
OVER_PROMISE_WORDS = ("保证", "一定", "马上", "立刻", "立即", "百分之百", "绝对")


@cache
def guard() -> Guard:
    return load_guard(ROOT / "knowledge" / "guard_rules.yml", ROOT / "knowledge" / "guard_phrases.yml")


def t(text: str, intent: str | None = None, emotion: str | None = None, intensity: float = 0.0,
      entities: tuple[dict, ...] = ()) -> CustomerTurn:
    return CustomerTurn(text, intent=intent, emotion=emotion, intensity=intensity, entities=entities)


CONVERSATION = (
    t("你好", "greet", "neutral", 0.1),
    t("我上周买的小米手环8，收到屏幕就裂了，开不了机", "complain_quality", "disappointed", 0.4,
      ({"entity": "product", "value": "小米手环8"},)),
    t("835016429371", "give_order_number", "neutral", 0.1, ({"entity": "order_id", "value": "835016429371"},)),
    t("我要退款", "state_desired_outcome", "neutral", 0.2, ({"entity": "desired_outcome", "value": "refund"},)),
    t("好的", "affirm", "neutral", 0.1),
    t("优惠券我不要。上次客服说三天内给我回复，结果到现在都没人理！！！", "deny", "angry", 0.7),
    t("再不退款我就去12315投诉你们，垃圾平台", "threaten_escalation", "angry", 0.9,
      ({"entity": "channel", "value": "12315", "start": 8, "end": 13},)),
)


# ---------------------------------------------------------------- reasons and customer messages


def test_reason_ids() -> None:
    assert {reason.value for reason in HandoffReason} == {
        "channel_threat", "privacy", "fraud", "repeat_complaint", "customer_request", "red_risk",
        "offers_exhausted", "order_not_found", "left_message",
    }


@pytest.mark.parametrize("reason", list(HandoffReason))
def test_every_reason_has_a_chinese_label(reason: HandoffReason) -> None:
    label = handoff_label(reason, data=HANDOFF)
    assert CJK.search(label) and label != reason.value
    assert handoff_label(reason.value, data=HANDOFF) == label  # plain strings work too


def _all_customer_messages() -> list[str]:
    messages = [customer_handoff_message(reason, data=HANDOFF) for reason in HandoffReason]
    return messages + [customer_handoff_message(HandoffReason.CUSTOMER_REQUEST, after_hours=True, data=HANDOFF)]


@pytest.mark.parametrize("message", _all_customer_messages())
def test_customer_messages_pass_the_over_promise_guard(message: str) -> None:
    verdict = guard().check(message)
    assert verdict.allowed, [(f.rule_id, f.matched_text) for f in verdict.findings]
    assert not any(word in message for word in OVER_PROMISE_WORDS)


@pytest.mark.parametrize("message", _all_customer_messages())
def test_customer_messages_are_filled_in_and_honest_about_hours(message: str) -> None:
    assert "{" not in message and "}" not in message
    assert "9:00-21:00" in message
    assert "人工" in message


def test_the_guard_check_would_catch_an_over_promising_wording(tmp_path: Path) -> None:
    raw = yaml.safe_load(HANDOFF_PATH.read_text(encoding="utf-8"))
    raw["messages"]["default"] = "马上为您转人工，保证 {pickup_minutes} 分钟内解决"
    path = tmp_path / "handoff.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    message = customer_handoff_message(HandoffReason.RED_RISK, data=load_handoff_data(path, RISK))
    assert not guard().check(message).allowed


def test_privacy_message_warns_against_sending_codes() -> None:
    assert "验证码" in customer_handoff_message(HandoffReason.PRIVACY, data=HANDOFF)


def test_reason_specific_and_default_messages_differ() -> None:
    assert customer_handoff_message(HandoffReason.ORDER_NOT_FOUND, data=HANDOFF) != customer_handoff_message(HandoffReason.RED_RISK, data=HANDOFF)
    assert "订单" in customer_handoff_message(HandoffReason.ORDER_NOT_FOUND, data=HANDOFF)


@pytest.mark.parametrize(("hour", "after_hours"), [(8, True), (9, False), (14, False), (20, False), (21, True),
                                                   (23, True)])
def test_after_hours_message_follows_the_clock(hour: int, after_hours: bool) -> None:
    now = dt.datetime(2024, 5, 6, hour, 30)
    message = customer_handoff_message(HandoffReason.CUSTOMER_REQUEST, now, data=HANDOFF)
    assert ("非工作时间" in message) is after_hours


# ---------------------------------------------------------------- agent summary


def _summary(**fields) -> str:
    turns = fields.pop("turns", CONVERSATION)
    risk = assess_risk(RiskInput(turns=turns, order_price=299), rules=RISK)
    return summarize_for_agent(SummaryInput(
        reason=fields.pop("reason", HandoffReason.CHANNEL_THREAT), turns=turns, risk=risk,
        profile=profile_customer(turns, rules=PROFILES), **fields), data=HANDOFF)


def test_summary_has_every_item() -> None:
    summary = _summary(complaint_level="升级投诉", offered=("致歉券5元", "七天无理由退货"), declined=("致歉券5元",))
    lines = summary.splitlines()
    assert lines[0] == "【转人工】" + handoff_label(HandoffReason.CHANNEL_THREAT, data=HANDOFF)
    expected = ["类别：质量问题", "投诉等级：升级投诉", "订单：835016429371（小米手环8）", "客户诉求：退款",
                "情绪：平静 → 失望 → 平静 → 愤怒（愤怒上升）", "画像：极其愤怒（先安抚情绪）", "风险：红色",
                "12315", "已提供方案：致歉券5元、七天无理由退货", "客户未接受：致歉券5元"]
    for part in expected:
        assert part in summary, part
    assert len(lines) <= 12


def test_summary_quotes_the_most_informative_sentences_only() -> None:
    quotes = pick_quotes(CONVERSATION, data=HANDOFF)
    assert quotes == ["我上周买的小米手环8，收到屏幕就裂了，开不了机", "再不退款我就去12315投诉你们，垃圾平台"]
    quote_line = next(line for line in _summary().splitlines() if line.startswith("客户原话"))
    assert "你好" not in quote_line and "好的" not in quote_line and "835016429371" not in quote_line


def test_repeated_sentences_are_quoted_once_and_long_ones_trimmed() -> None:
    rambling = "然后我就一直等一直等，" * 10 + "快递到现在也没到"
    turns = [t("快递一直没到，我都等了一周了"), t("快递一直没到，我都等了一周了"), t(rambling)]
    quotes = pick_quotes(turns, data=HANDOFF)
    assert quotes.count("快递一直没到，我都等了一周了") == 1
    assert max(len(quote) for quote in quotes) <= load_handoff_data(HANDOFF_PATH, RISK).quote_max_chars
    assert any(quote.endswith("…") for quote in quotes)


def test_category_prefers_the_concrete_problem_over_escalation() -> None:
    summary = summarize_for_agent(SummaryInput(HandoffReason.CHANNEL_THREAT, CONVERSATION), data=HANDOFF)
    assert "类别：质量问题" in summary and "类别：升级投诉" not in summary


def test_explicit_fields_win_over_what_the_turns_say() -> None:
    summary = summarize_for_agent(SummaryInput(
        HandoffReason.CUSTOMER_REQUEST, CONVERSATION, category="damaged_lost", order_id="900000000001",
        product="电饭煲", desired_outcome="exchange"), data=HANDOFF)
    assert "类别：物品损坏" in summary and "900000000001（电饭煲）" in summary and "客户诉求：换货" in summary


def test_summary_without_turns_still_names_the_reason() -> None:
    summary = summarize_for_agent(SummaryInput(HandoffReason.ORDER_NOT_FOUND), data=HANDOFF)
    assert summary == "【转人工】" + handoff_label(HandoffReason.ORDER_NOT_FOUND, data=HANDOFF)


def test_summary_without_risk_reasons_shows_the_level_only() -> None:
    turns = (t("请问能转人工吗", "request_human", "neutral", 0.1),)
    summary = summarize_for_agent(SummaryInput(HandoffReason.CUSTOMER_REQUEST, turns,
                                               risk=assess_risk(RiskInput(turns=turns), rules=RISK)), data=HANDOFF)
    assert "风险：绿色（0 分）" in summary and "—" not in summary


def test_traditional_script_conversation_is_summarized() -> None:
    turns = (t("我買的耳機收到就壞了，左耳沒有聲音", "complain_quality", "disappointed", 0.4),
             t("你們再不處理，我就去消費者協會投訴", "threaten_escalation", "angry", 0.8))
    summary = _summary(turns=turns)
    assert "我買的耳機收到就壞了" in summary  # quoted as written
    assert "12315/市场监管" in summary


# ---------------------------------------------------------------- data file


def _raw_data() -> dict:
    return yaml.safe_load(HANDOFF_PATH.read_text(encoding="utf-8"))


def test_unknown_reason_in_messages_is_rejected() -> None:
    raw = _raw_data()
    raw["messages"]["by_reason"]["bored"] = "好的"
    with pytest.raises(ValueError, match="bored"):
        parse_handoff_data(raw, RISK)


def test_broken_placeholder_fails_at_load(tmp_path: Path) -> None:
    raw = _raw_data()
    raw["messages"]["default"] = "已转人工，{minutes} 分钟内接手"
    path = tmp_path / "handoff.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="handoff.yml"):
        load_handoff_data(path, RISK)


def test_broken_summary_line_fails_at_load(tmp_path: Path) -> None:
    raw = _raw_data()
    raw["summary"]["lines"]["risk"] = "风险：{colour}"
    path = tmp_path / "handoff.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="colour"):
        load_handoff_data(path, RISK)


@pytest.mark.parametrize(("now", "opening"), [
    (dt.datetime(2026, 12, 7, 10, 30), dt.datetime(2026, 12, 7, 10, 30)),  # within 9:00-21:00: now
    (dt.datetime(2026, 12, 7, 23, 10), dt.datetime(2026, 12, 8, 9, 0)),  # late evening: tomorrow morning
    (dt.datetime(2026, 12, 7, 6, 45), dt.datetime(2026, 12, 7, 9, 0)),  # early morning: today
    (dt.datetime(2026, 12, 7, 21, 0), dt.datetime(2026, 12, 8, 9, 0)),  # closing time itself is closed
])
def test_a_humans_clock_starts_at_the_next_opening(now: dt.datetime, opening: dt.datetime) -> None:
    assert next_opening(now, HANDOFF) == opening
