"""Conversations handed to a human agent: the summary the agent reads first, and the queue by team (whose
queue, who owns it, by when someone must answer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk import clock
from complaint_desk.stores.tables import HandoffRow


@dataclass(frozen=True)
class Handoff:
    handoff_id: int
    conversation_id: str
    reason: str
    summary: str
    created_at: dt.datetime
    handed_back_at: dt.datetime | None
    category: str | None = None
    level: str | None = None
    team: str | None = None
    owner_id: int | None = None
    assigned_at: dt.datetime | None = None
    respond_by: dt.datetime | None = None
    answered_at: dt.datetime | None = None

    def overdue(self, now: dt.datetime) -> bool:
        """Nobody has answered and the response deadline has passed."""
        return (self.handed_back_at is None and self.answered_at is None and self.respond_by is not None
                and now > self.respond_by)


def _to_handoff(row: HandoffRow) -> Handoff:
    return Handoff(row.handoff_id, row.conversation_id, row.reason, row.summary, row.created_at, row.handed_back_at,
                   row.category, row.level, row.team, row.owner_id, row.assigned_at, row.respond_by, row.answered_at)


def _newest_open(conversation_id: str) -> sa.Select:
    return (sa.select(HandoffRow)
            .where(HandoffRow.conversation_id == conversation_id, HandoffRow.handed_back_at.is_(None))
            .order_by(HandoffRow.created_at.desc(), HandoffRow.handoff_id.desc()).limit(1))


class HandoffQueue:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def hand_off(self, conversation_id: str, reason: str, summary: str, now: dt.datetime | None = None,
                 category: str | None = None, level: str | None = None, team: str | None = None,
                 respond_by: dt.datetime | None = None, owner_id: int | None = None) -> Handoff:
        now = now or clock.now()
        row = HandoffRow(conversation_id=conversation_id, reason=reason, summary=summary, created_at=now,
                         category=category, level=level, team=team, respond_by=respond_by, owner_id=owner_id,
                         assigned_at=now if owner_id is not None else None)
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            return _to_handoff(row)

    def hand_back(self, conversation_id: str, now: dt.datetime | None = None) -> int:
        """Close the open handoffs of a conversation; returns how many were open."""
        with self._sessions.begin() as session:
            return session.execute(
                sa.update(HandoffRow)
                .where(HandoffRow.conversation_id == conversation_id, HandoffRow.handed_back_at.is_(None))
                .values(handed_back_at=now or clock.now())
            ).rowcount

    def for_conversation(self, conversation_id: str) -> list[Handoff]:
        with self._sessions() as session:
            rows = session.scalars(
                sa.select(HandoffRow).where(HandoffRow.conversation_id == conversation_id).order_by(HandoffRow.created_at)
            ).all()
            return [_to_handoff(row) for row in rows]

    def open_of(self, conversation_id: str) -> Handoff | None:
        """The conversation's hand-off still waiting for or with an agent (the newest, if several)."""
        with self._sessions() as session:
            row = session.scalars(_newest_open(conversation_id)).first()
            return _to_handoff(row) if row else None

    def waiting(self, team: str | None = None) -> list[Handoff]:
        """Open hand-offs, oldest first (the queue order), of one team or all."""
        conditions = [HandoffRow.handed_back_at.is_(None)]
        if team is not None:
            conditions.append(HandoffRow.team == team)
        with self._sessions() as session:
            rows = session.scalars(sa.select(HandoffRow).where(*conditions)
                                   .order_by(HandoffRow.created_at, HandoffRow.handoff_id)).all()
            return [_to_handoff(row) for row in rows]

    def load_by_owner(self) -> dict[int, int]:
        """How many open hand-offs each agent owns."""
        with self._sessions() as session:
            rows = session.execute(
                sa.select(HandoffRow.owner_id, sa.func.count()).where(
                    HandoffRow.handed_back_at.is_(None), HandoffRow.owner_id.is_not(None))
                .group_by(HandoffRow.owner_id)).all()
            return {owner: count for owner, count in rows}

    def assign(self, conversation_id: str, owner_id: int | None, team: str | None = None,
               now: dt.datetime | None = None) -> Handoff | None:
        """Give the open hand-off to an owner (None: back to its team's queue), optionally moving it to another
        team. Opens one when the conversation has none (an agent took over without a hand-off by the bot)."""
        now = now or clock.now()
        with self._sessions.begin() as session:
            row = session.scalars(_newest_open(conversation_id).with_for_update()).first()
            if row is None:
                return None
            row.owner_id = owner_id
            row.assigned_at = now if owner_id is not None else None
            if team is not None:
                row.team = team
            session.flush()
            return _to_handoff(row)

    def answered(self, conversation_id: str, now: dt.datetime | None = None) -> None:
        """An agent wrote to the customer: the response deadline is met (first message only)."""
        with self._sessions.begin() as session:
            session.execute(sa.update(HandoffRow).where(
                HandoffRow.conversation_id == conversation_id, HandoffRow.handed_back_at.is_(None),
                HandoffRow.answered_at.is_(None)).values(answered_at=now or clock.now()))
