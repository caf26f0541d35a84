from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest

from complaint_desk.case.waiting import AGENT, WAITING_RECEIPT, receipt_kind, receipt_text
from complaint_desk.guard.checker import Guard, load_guard
from tests.unit.shipped_knowledge import HANDOFF

ROOT = Path(__file__).resolve().parents[3]
DAY = dt.datetime(2026, 12, 7, 14, 0)
NIGHT = dt.datetime(2026, 12, 7, 23, 30)
CUSTOMER = {"event": "user", "text": "还要等多久啊"}


@cache
def guard() -> Guard:
    return load_guard(ROOT / "knowledge" / "guard_rules.yml", ROOT / "knowledge" / "guard_phrases.yml")


def waiting_receipt(events: list[dict], now: dt.datetime, data: object, handed_off_by_the_bot: bool = True) -> str | None:
    """The receipt's words without a queue line, or None."""
    kind = receipt_kind(events, now, HANDOFF, handed_off_by_the_bot)
    return receipt_text(kind, HANDOFF) if kind else None


def receipt() -> dict:
    return {"event": "bot", "text": "收到", "metadata": {WAITING_RECEIPT: True}}


def test_the_first_message_after_a_handoff_gets_the_full_receipt_with_the_hours() -> None:
    text = waiting_receipt([CUSTOMER], DAY, HANDOFF)
    assert text == HANDOFF.message(HANDOFF.waiting_messages["first"])
    assert "9:00-21:00" in text


def test_later_messages_get_the_short_receipt() -> None:
    text = waiting_receipt([CUSTOMER, receipt(), CUSTOMER], DAY, HANDOFF)
    assert text == HANDOFF.message(HANDOFF.waiting_messages["again"])


def test_once_an_agent_has_written_the_bot_stays_quiet() -> None:
    agent_said = {"event": "bot", "text": "您好，我是小周", "metadata": {AGENT: True}}
    assert waiting_receipt([CUSTOMER, receipt(), agent_said, CUSTOMER], DAY, HANDOFF) is None


def test_outside_working_hours_the_receipt_says_so() -> None:
    text = waiting_receipt([CUSTOMER], NIGHT, HANDOFF)
    assert text == HANDOFF.message(HANDOFF.waiting_messages["after_hours"])
    assert "非工作时间" in text


def test_after_hours_the_later_receipts_are_short_too() -> None:
    assert waiting_receipt([CUSTOMER, receipt(), CUSTOMER], NIGHT, HANDOFF) == HANDOFF.message(
        HANDOFF.waiting_messages["again"])


def test_the_bots_own_handoff_message_is_not_an_agent_reply() -> None:
    handoff_message = {"event": "bot", "text": "已为您转交人工客服专员", "metadata": {}}
    assert waiting_receipt([handoff_message, CUSTOMER], DAY, HANDOFF) is not None


def test_a_conversation_taken_over_from_the_console_gets_no_receipt() -> None:
    assert waiting_receipt([CUSTOMER], DAY, HANDOFF, handed_off_by_the_bot=False) is None


@pytest.mark.parametrize("key", sorted(HANDOFF.waiting_messages))
def test_every_receipt_passes_the_over_promise_guard(key: str) -> None:
    text = HANDOFF.message(HANDOFF.waiting_messages[key])
    verdict = guard().check(text)
    assert verdict.allowed, [(f.rule_id, f.matched_text) for f in verdict.findings]
    assert "{" not in text


def test_with_the_queue_line_the_first_receipt_is_short_and_later_ones_keep_their_words() -> None:
    line = "正在为您转接售后专员，您是下一位，预计等待约 6 分钟，以实际为准。"
    assert receipt_text("first", HANDOFF, line) == HANDOFF.message(HANDOFF.waiting_messages["noted"]) + line
    assert receipt_text("after_hours", HANDOFF, line) == HANDOFF.message(HANDOFF.waiting_messages["noted"]) + line
    assert receipt_text("again", HANDOFF, line) == HANDOFF.message(HANDOFF.waiting_messages["again"]) + line
