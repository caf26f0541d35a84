"""Suggestion feedback: each offer counts once per customer message; sent as is, edited, or ignored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.stores.suggestion_feedback import AS_IS, EDITED, SuggestionFeedback

NOW = dt.datetime(2026, 12, 7, 10, 0)


@pytest.fixture
def feedback(tmp_path: Path) -> SuggestionFeedback:
    engine = engine_for(f"sqlite:///{tmp_path / 'feedback.db'}")
    create_schema(engine)
    return SuggestionFeedback(session_factory(engine))


def test_offers_count_once_per_turn_and_sending_marks_them(feedback: SuggestionFeedback) -> None:
    offers = [("offer:reship", "为您补发"), ("stage:propose", "您看这样可以吗"), ("stage:propose2", "还有别的想法吗")]
    for _ in range(3):  # the console reloads the conversation many times for one customer message
        feedback.shown("c1", 2, "propose", offers, now=NOW)
    assert feedback.sent("c1", 2, "propose", "offer:reship", "为您补发", "为您 补发", 7, now=NOW) == AS_IS  # spaces only
    assert feedback.sent("c1", 2, "propose", "stage:propose", "您看这样可以吗", "您看这样行吗？", 7, now=NOW) == EDITED
    assert feedback.sent("c1", 2, "handoff", "library:closing_thanks", "感谢您的耐心", "感谢您的耐心", 7, now=NOW) == AS_IS
    feedback.shown("c1", 3, "confirm", [("stage:confirm", "已登记")], now=NOW)
    rates = feedback.rates()
    assert rates["by_stage"]["propose"] == {"as_is": 1, "edited": 1, "ignored": 1, "total": 3, "used_rate": 0.667}
    assert rates["by_stage"]["confirm"]["ignored"] == 1
    assert rates["by_source"]["offer"]["as_is"] == 1 and rates["by_source"]["library"]["as_is"] == 1
    assert rates["by_source"]["stage"] == {"as_is": 0, "edited": 1, "ignored": 2, "total": 3, "used_rate": 0.333}
    assert feedback.rates(since=NOW + dt.timedelta(days=1)) == {"by_stage": {}, "by_source": {}}
