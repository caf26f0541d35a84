"""The complaints as a supervisor counts them (ComplaintRecord), read from the ticket, handoff and
follow-up tables. Every SQL query of the insights package is here.

A *case* is one complaint as a supervisor counts it: a ticket, or a conversation that was handed to a
human without a ticket (the customer declined every offer, threatened outside channels...). Handoffs in
a conversation that has tickets are the escalation triggers of those tickets.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk import clock
from complaint_desk.insights.filters import InsightFilter
from complaint_desk.stores.follow_ups import FollowUpRow
from complaint_desk.stores.handoffs import HandoffRow
from complaint_desk.stores.tickets import TicketRow

UNKNOWN = "unknown"
TICKET, HANDOFF = "ticket", "handoff"


@dataclass(slots=True)
class ComplaintRecord:
    """One case as the supervisor page counts it: a ticket, or a handoff without a ticket, as read from
    the stores (not the live conversation of complaint_desk.case)."""

    case_id: str  # ticket id, or "handoff:<conversation id>"
    kind: str  # "ticket" | "handoff"
    customer: str  # the conversation / sender id
    category: str  # taxonomy id, or "unknown"
    level: str
    created_at: dt.datetime
    status: str = "open"
    order_id: str | None = None
    remedy_id: str | None = None
    remedy_title: str | None = None
    satisfaction: str | None = None
    emotions: tuple[str, ...] = ()
    customer_text: str | None = None
    first_message_at: dt.datetime | None = None
    first_response_at: dt.datetime | None = None
    respond_by: dt.datetime | None = None
    resolve_by: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    declined: tuple[str, ...] = ()
    handoff_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUpFact:
    ticket_id: str
    due_at: dt.datetime
    fired_at: dt.datetime | None
    failed_at: dt.datetime | None = None  # the worker gave up after its last attempt
    attempts: int = 0
    last_error: str | None = None


def _raw(column: Any) -> Any:
    """A time column read as the driver gives it: SQLAlchemy's per-value SQLite date parsing is the slowest
    part of loading 10,000 tickets; _datetime() below parses the ISO text in C instead."""
    return sa.type_coerce(column, sa.String).label(column.key)


def _datetime(value: Any) -> dt.datetime | None:
    """A stored instant (UTC: ISO text from SQLite, an aware datetime from PostgreSQL) as shop wall-clock time."""
    if value is None:
        return None
    return clock.from_utc(value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value))


_TICKET_COLUMNS = (
    TicketRow.ticket_id, TicketRow.conversation_id, TicketRow.order_id, TicketRow.category, TicketRow.level,
    TicketRow.remedy_id, TicketRow.remedy_title, TicketRow.emotion_trend, TicketRow.status, TicketRow.satisfaction,
    _raw(TicketRow.created_at), _raw(TicketRow.resolve_by), TicketRow.customer_text, _raw(TicketRow.first_message_at),
    _raw(TicketRow.first_response_at), _raw(TicketRow.respond_by), TicketRow.declined_remedies,
    _raw(TicketRow.resolved_at),
)


def _ticket_conditions(f: InsightFilter) -> list[Any]:
    conditions: list[Any] = []
    if f.start():
        conditions.append(TicketRow.created_at >= f.start())
    if f.end():
        conditions.append(TicketRow.created_at < f.end())
    if f.category:
        conditions.append(TicketRow.category == f.category)
    if f.level:
        conditions.append(TicketRow.level == f.level)
    return conditions


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(value.split(",")) if value else ()


def load_cases(sessions: sessionmaker, f: InsightFilter) -> list[ComplaintRecord]:
    """The filtered cases, oldest first, with their handoff reasons attached."""
    ticket_conditions = _ticket_conditions(f)
    with sessions() as orm_session:
        session = orm_session.connection()  # Core rows: the ORM's per-row bookkeeping is not needed here
        ticket_rows = session.execute(
            sa.select(*_TICKET_COLUMNS).where(*ticket_conditions).order_by(TicketRow.created_at)
        ).all()
        ticket_handoffs = session.execute(
            sa.select(HandoffRow.conversation_id, HandoffRow.reason, _raw(HandoffRow.created_at))
            .where(HandoffRow.conversation_id.in_(
                sa.select(TicketRow.conversation_id).where(*ticket_conditions).scalar_subquery()
            ))
            .order_by(HandoffRow.created_at)
        ).all()
        handoff_conditions: list[Any] = [
            ~sa.exists().where(TicketRow.conversation_id == HandoffRow.conversation_id)
        ]
        if f.start():
            handoff_conditions.append(HandoffRow.created_at >= f.start())
        if f.end():
            handoff_conditions.append(HandoffRow.created_at < f.end())
        if f.category:
            handoff_conditions.append(HandoffRow.category == f.category)
        if f.level:
            handoff_conditions.append(HandoffRow.level == f.level)
        handoff_rows = session.execute(
            sa.select(HandoffRow.conversation_id, HandoffRow.reason, HandoffRow.category, HandoffRow.level,
                      _raw(HandoffRow.created_at))
            .where(*handoff_conditions)
            .order_by(HandoffRow.created_at)
        ).all()

    cases = [
        ComplaintRecord(
            case_id=row.ticket_id, kind=TICKET, customer=row.conversation_id, category=row.category,
            level=row.level, created_at=_datetime(row.created_at), status=row.status, order_id=row.order_id,
            remedy_id=row.remedy_id, remedy_title=row.remedy_title, satisfaction=row.satisfaction,
            emotions=_split(row.emotion_trend), customer_text=row.customer_text,
            first_message_at=_datetime(row.first_message_at), first_response_at=_datetime(row.first_response_at),
            respond_by=_datetime(row.respond_by), resolve_by=_datetime(row.resolve_by),
            resolved_at=_datetime(row.resolved_at), declined=_split(row.declined_remedies),
        )
        for row in ticket_rows
    ]
    for case, reasons_of_case in _attach_handoffs(cases, ticket_handoffs):
        case.handoff_reasons = tuple(reasons_of_case)
    # One case per handed-off conversation without a ticket: its first handoff, with all its reasons.
    first_handoff: dict[str, Any] = {}
    reasons: dict[str, list[str]] = defaultdict(list)
    for row in handoff_rows:
        first_handoff.setdefault(row.conversation_id, row)
        if row.reason not in reasons[row.conversation_id]:
            reasons[row.conversation_id].append(row.reason)
    for conversation_id, row in first_handoff.items():
        cases.append(
            ComplaintRecord(
                case_id=f"handoff:{conversation_id}", kind=HANDOFF, customer=conversation_id,
                category=row.category or UNKNOWN, level=row.level or UNKNOWN, created_at=_datetime(row.created_at),
                status="handed_off", handoff_reasons=tuple(reasons[conversation_id]),
            )
        )
    cases.sort(key=lambda case: case.created_at)
    return cases


def _attach_handoffs(tickets: Sequence[ComplaintRecord], handoff_rows: Sequence[Any]) -> list[tuple[ComplaintRecord, list[str]]]:
    """Each handoff belongs to the latest ticket of its conversation opened before it, else to the first one."""
    tickets_of_conversation: dict[str, list[ComplaintRecord]] = defaultdict(list)
    for ticket in tickets:  # oldest first
        tickets_of_conversation[ticket.customer].append(ticket)
    reasons: dict[int, list[str]] = defaultdict(list)
    owners: dict[int, ComplaintRecord] = {}
    for handoff in handoff_rows:
        own = tickets_of_conversation.get(handoff.conversation_id)
        if not own:
            continue
        at = _datetime(handoff.created_at)
        before = [t for t in own if t.created_at <= at]
        owner = before[-1] if before else own[0]
        owners[id(owner)] = owner
        if handoff.reason not in reasons[id(owner)]:
            reasons[id(owner)].append(handoff.reason)
    return [(owners[key], value) for key, value in reasons.items()]


def load_follow_ups(sessions: sessionmaker, f: InsightFilter) -> list[FollowUpFact]:
    """Follow-ups of the filtered tickets."""
    with sessions() as session:
        rows = session.connection().execute(
            sa.select(FollowUpRow.ticket_id, _raw(FollowUpRow.due_at), _raw(FollowUpRow.fired_at),
                      _raw(FollowUpRow.failed_at), FollowUpRow.attempts, FollowUpRow.last_error)
            .join(TicketRow, TicketRow.ticket_id == FollowUpRow.ticket_id)
            .where(*_ticket_conditions(f))
        ).all()
    return [FollowUpFact(row.ticket_id, _datetime(row.due_at), _datetime(row.fired_at), _datetime(row.failed_at),
                         row.attempts or 0, row.last_error) for row in rows]


def data_version(sessions: sessionmaker) -> tuple[Any, ...]:
    """A cheap fingerprint of the three tables: it changes with every write the stores make
    (new ticket/handoff/follow-up, status, resolution, satisfaction, hand-back, follow-up fired or given up)."""
    with sessions() as session:
        connection = session.connection()
        tickets = connection.execute(sa.select(
            sa.func.count(), sa.func.max(TicketRow.created_at), sa.func.count(TicketRow.resolved_at),
            sa.func.count(TicketRow.satisfaction), sa.func.sum(sa.case((TicketRow.satisfaction == "satisfied", 1), else_=0)),
            sa.func.sum(sa.func.length(TicketRow.status)), sa.func.sum(sa.case((TicketRow.status == "open", 1), else_=0)),
            sa.func.count(TicketRow.customer_text),
        )).one()
        handoffs = connection.execute(sa.select(
            sa.func.count(), sa.func.max(HandoffRow.created_at), sa.func.count(HandoffRow.handed_back_at),
        )).one()
        follow_ups = connection.execute(sa.select(
            sa.func.count(), sa.func.count(FollowUpRow.fired_at), sa.func.max(FollowUpRow.due_at),
            sa.func.count(FollowUpRow.failed_at),
        )).one()
    return (*tickets, *handoffs, *follow_ups)
