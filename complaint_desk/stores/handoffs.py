"""Conversations handed to a human agent, with the summary the agent reads first."""

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


def _to_handoff(row: HandoffRow) -> Handoff:
    return Handoff(row.handoff_id, row.conversation_id, row.reason, row.summary, row.created_at, row.handed_back_at,
                   row.category, row.level)


class HandoffQueue:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def hand_off(self, conversation_id: str, reason: str, summary: str, now: dt.datetime | None = None,
                 category: str | None = None, level: str | None = None) -> Handoff:
        row = HandoffRow(conversation_id=conversation_id, reason=reason, summary=summary,
                         created_at=now or clock.now(), category=category, level=level)
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
