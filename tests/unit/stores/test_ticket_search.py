"""Ticket search: by ticket number, order number or the customer's words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from complaint_desk.stores.database import create_schema, engine_for, session_factory

NOW = dt.datetime(2026, 12, 7, 10, 0)


@pytest.fixture
def engine(tmp_path: Path) -> sa.engine.Engine:
    engine = engine_for(f"sqlite:///{tmp_path / 'tickets.db'}")
    create_schema(engine)
    return engine


def test_tickets_are_found_by_number_order_or_words(engine: sa.engine.Engine) -> None:
    from complaint_desk.stores.tickets import NewTicket, TicketStore

    tickets = TicketStore(session_factory(engine))
    first = tickets.open_ticket(NewTicket("c1", "472918305561", "delivery", "投诉", "reship", "补发", None, ["angry"],
                                          dt.timedelta(hours=48), customer_text="快递一周没到"), now=NOW)
    tickets.open_ticket(NewTicket("c2", "472918305563", "quality", "投诉", "exchange", "换货", None, ["neutral"],
                                  dt.timedelta(hours=48), customer_text="耳机没声音 100%坏了"), now=NOW)
    assert [t.conversation_id for t in tickets.search(first.ticket_id.lower())[0]] == ["c1"]
    assert [t.conversation_id for t in tickets.search("472918305563")[0]] == ["c2"]
    assert [t.conversation_id for t in tickets.search("没到")[0]] == ["c1"]
    assert tickets.search("%")[1] == 1 and tickets.search("  ") == ([], 0)
