from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from complaint_desk.insights.filters import InsightFilter
from complaint_desk.insights.report import insights
from complaint_desk.stores.database import engine_for, session_factory
from complaint_desk.stores.tickets import TicketRow
from complaint_desk.taxonomy import COMPLAINT_CATEGORIES
from tools.seed_demo_tickets import generate, load_demo_data, seed, seed_if_empty

NOW = dt.datetime(2026, 11, 30, 9, 0)


def test_the_same_seed_gives_the_same_rows_and_another_seed_different_ones():
    first, again, other = generate(120, 7, NOW), generate(120, 7, NOW), generate(120, 8, NOW)
    assert first.tickets == again.tickets and first.handoffs == again.handoffs
    assert [t["customer_text"] for t in first.tickets] != [t["customer_text"] for t in other.tickets]


def test_demo_rows_are_varied_and_consistent():
    demo = generate(300, 20261122, NOW)
    tickets = demo.tickets
    assert len(tickets) + len({h["conversation_id"] for h in demo.handoffs if not any(
        t["conversation_id"] == h["conversation_id"] for t in tickets)}) >= 280
    assert len({t["category"] for t in tickets}) == len(COMPLAINT_CATEGORIES)
    assert len({t["level"] for t in tickets}) >= 3
    texts = Counter(t["customer_text"] for t in tickets)
    assert len(texts) >= 0.8 * len(tickets)  # mostly distinct wording
    assert any(ch in "".join(texts) for ch in "遞貨還")  # some traditional script
    assert all(t["created_at"] <= NOW and t["created_at"] >= NOW - dt.timedelta(days=61) for t in tickets)
    for t in tickets:
        assert t["first_message_at"] < t["first_response_at"]
        assert (t["resolved_at"] is None) == (t["status"] == "open")
    late = [t for t in tickets if t["resolved_at"] and t["resolved_at"] > t["resolve_by"]]
    assert 0 < len(late) < len(tickets) / 3


def test_every_demo_remedy_level_and_reason_exists_in_the_policy():
    load_demo_data()  # raises DemoDataError naming the problem


def test_seeding_twice_writes_once(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert seed(url, count=50, now=NOW) is not None
    assert seed(url, count=50, now=NOW) is None
    with engine_for(url).connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(TicketRow)).scalar_one()
    demo = generate(50, now=NOW)
    assert count == len(demo.tickets)
    result = insights(session_factory(engine_for(url)), InsightFilter(), now=NOW).as_dict()
    assert result["summary"]["cases"] >= 45
    assert result["root_causes"]


def test_make_run_seeds_only_an_empty_database(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = engine_for(url)
    assert seed_if_empty(url) is not None
    with engine.begin() as connection:
        connection.execute(sa.delete(TicketRow).where(TicketRow.conversation_id.like("demo-%")))
        connection.execute(TicketRow.__table__.insert(), [{
            "ticket_id": "TS1", "conversation_id": "real", "category": "price", "level": "异议",
            "remedy_id": "price_difference", "remedy_title": "价保", "emotion_trend": "", "status": "open",
            "created_at": NOW,
        }])
    assert seed_if_empty(url) is None
