"""Complaint tickets: what was agreed with the customer, and by when it is due."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk import clock
from complaint_desk.stores.database import contains
from complaint_desk.stores.tables import TicketRow


@dataclass(frozen=True)
class NewTicket:
    conversation_id: str
    order_id: str | None
    category: str
    level: str
    remedy_id: str
    remedy_title: str
    remedy_amount: float | None
    emotion_trend: Sequence[str]
    resolve_within: dt.timedelta | None
    customer_text: str | None = None
    first_message_at: dt.datetime | None = None
    first_response_at: dt.datetime | None = None
    respond_within: dt.timedelta | None = None  # counted from first_message_at
    declined_remedies: Sequence[str] = ()


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    conversation_id: str
    order_id: str | None
    category: str
    level: str
    remedy_id: str
    remedy_title: str
    remedy_amount: float | None
    emotion_trend: str
    status: str
    satisfaction: str | None
    created_at: dt.datetime
    resolve_by: dt.datetime | None
    customer_text: str | None = None
    first_message_at: dt.datetime | None = None
    first_response_at: dt.datetime | None = None
    respond_by: dt.datetime | None = None
    declined_remedies: str | None = None
    resolved_at: dt.datetime | None = None


def _new_ticket_id(now: dt.datetime) -> str:
    # Date prefix for agents reading it out; random suffix so replicas never collide.
    return f"TS{now:%Y%m%d}{secrets.token_hex(3).upper()}"


class TicketStore:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def open_ticket(self, new: NewTicket, now: dt.datetime | None = None, attempts: int = 5) -> Ticket:
        """A new ticket; a random number already taken that day is drawn again."""
        now = now or clock.now()
        for attempt in range(attempts):
            try:
                return self._insert(new, now)
            except sa.exc.IntegrityError:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def _insert(self, new: NewTicket, now: dt.datetime) -> Ticket:
        row = TicketRow(
            ticket_id=_new_ticket_id(now),
            conversation_id=new.conversation_id,
            order_id=new.order_id,
            category=new.category,
            level=new.level,
            remedy_id=new.remedy_id,
            remedy_title=new.remedy_title,
            remedy_amount=new.remedy_amount,
            emotion_trend=",".join(new.emotion_trend),
            status="open",
            created_at=now,
            resolve_by=now + new.resolve_within if new.resolve_within else None,
            customer_text=new.customer_text,
            first_message_at=new.first_message_at,
            first_response_at=new.first_response_at,
            respond_by=(
                new.first_message_at + new.respond_within if new.first_message_at and new.respond_within else None
            ),
            declined_remedies=",".join(new.declined_remedies) or None,
        )
        with self._sessions.begin() as session:
            session.add(row)
        return self._to_ticket(row)

    def get(self, ticket_id: str) -> Ticket | None:
        with self._sessions() as session:
            row = session.get(TicketRow, ticket_id)
            return self._to_ticket(row) if row else None

    def record_satisfaction(self, ticket_id: str, satisfaction: str) -> None:
        with self._sessions.begin() as session:
            session.execute(
                sa.update(TicketRow).where(TicketRow.ticket_id == ticket_id).values(satisfaction=satisfaction)
            )

    def mark_resolved(self, ticket_id: str, now: dt.datetime | None = None) -> bool:
        """Close an open ticket as resolved; False when it was not open."""
        with self._sessions.begin() as session:
            return bool(
                session.execute(
                    sa.update(TicketRow)
                    .where(TicketRow.ticket_id == ticket_id, TicketRow.status == "open")
                    .values(status="resolved", resolved_at=now or clock.now())
                ).rowcount
            )

    def search(self, query: str, limit: int = 50, offset: int = 0) -> tuple[list[Ticket], int]:
        """Tickets by ticket number or order number (exact), or the customer's words (contains), newest first;
        and how many match in all."""
        query = query.strip()
        if not query:
            return [], 0
        condition = sa.or_(TicketRow.ticket_id == query.upper(), TicketRow.order_id == query,
                           contains(TicketRow.customer_text, query))
        with self._sessions() as session:
            rows = session.scalars(sa.select(TicketRow).where(condition).order_by(TicketRow.created_at.desc())
                                   .limit(max(1, min(limit, 200))).offset(max(0, offset))).all()
            total = session.scalar(sa.select(sa.func.count()).select_from(TicketRow).where(condition))
            return [self._to_ticket(row) for row in rows], total or 0

    def for_order(self, order_id: str) -> list[Ticket]:
        with self._sessions() as session:
            rows = session.scalars(
                sa.select(TicketRow).where(TicketRow.order_id == order_id).order_by(TicketRow.created_at)
            ).all()
            return [self._to_ticket(row) for row in rows]

    def count_on_order_from_others(self, order_id: str, conversation_id: str) -> int:
        """How many tickets on the order other conversations opened (the risk counts them; rows not loaded)."""
        with self._sessions() as session:
            return session.scalar(
                sa.select(sa.func.count()).select_from(TicketRow)
                .where(TicketRow.order_id == order_id, TicketRow.conversation_id != conversation_id)
            ) or 0

    def for_conversation(self, conversation_id: str) -> list[Ticket]:
        with self._sessions() as session:
            rows = session.scalars(
                sa.select(TicketRow)
                .where(TicketRow.conversation_id == conversation_id)
                .order_by(TicketRow.created_at)
            ).all()
            return [self._to_ticket(row) for row in rows]

    @staticmethod
    def _to_ticket(row: TicketRow) -> Ticket:
        return Ticket(**{column.name: getattr(row, column.name) for column in TicketRow.__table__.columns})
