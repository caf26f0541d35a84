"""The ticket store's count of earlier tickets on an order, which the escalation risk reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.stores.tickets import NewTicket, TicketStore

NOW = dt.datetime(2026, 12, 7, 10, 0)


def ticket(conversation_id: str, order_id: str) -> NewTicket:
    return NewTicket(conversation_id, order_id, "delivery", "投诉", "reship", "补发", None, ["angry"],
                     dt.timedelta(hours=48), customer_text="快递一周没到")


def test_only_other_conversations_tickets_on_the_same_order_count(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'tickets.db'}")
    create_schema(engine)
    tickets = TicketStore(session_factory(engine))
    for conversation_id, order_id in (("c1", "472918305561"), ("c2", "472918305561"), ("c2", "472918305561"),
                                      ("c3", "472918305563")):
        tickets.open_ticket(ticket(conversation_id, order_id), now=NOW)
    assert tickets.count_on_order_from_others("472918305561", "c1") == 2
    assert tickets.count_on_order_from_others("472918305561", "c2") == 1
    assert tickets.count_on_order_from_others("472918305563", "c3") == 0
    assert tickets.count_on_order_from_others("000000000000", "c1") == 0
