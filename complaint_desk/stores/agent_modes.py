"""Who is answering a conversation: the bot, an agent who took over, or an agent with the bot only suggesting.

One row per conversation; closing keeps the row with the agent's summary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk import clock
from complaint_desk.stores.tables import AgentSessionRow

BOT, TAKEOVER, SUGGEST, CLOSED = "bot", "takeover", "suggest", "closed"
MODES = (BOT, TAKEOVER, SUGGEST, CLOSED)
AGENT_MODES = (TAKEOVER, SUGGEST)  # the bot is paused in both


@dataclass(frozen=True)
class AgentSession:
    conversation_id: str
    mode: str
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    summary: str | None


class AgentSessionStore:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def get(self, conversation_id: str) -> AgentSession:
        with self._sessions() as session:
            row = session.get(AgentSessionRow, conversation_id)
            if row is None:
                return AgentSession(conversation_id, BOT, clock.now(), None, None)
            return AgentSession(row.conversation_id, row.mode, row.updated_at, row.closed_at, row.summary)

    def modes(self) -> dict[str, str]:
        with self._sessions() as session:
            return dict(session.execute(sa.select(AgentSessionRow.conversation_id, AgentSessionRow.mode)).all())

    def set_mode(self, conversation_id: str, mode: str, summary: str | None = None,
                 now: dt.datetime | None = None) -> AgentSession:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        now = now or clock.now()
        with self._sessions.begin() as session:
            row = session.get(AgentSessionRow, conversation_id)
            if row is None:
                row = AgentSessionRow(conversation_id=conversation_id)
                session.add(row)
            row.mode = mode
            row.updated_at = now
            if mode == CLOSED:
                row.closed_at = now
                row.summary = summary
            else:
                row.closed_at = None
        return self.get(conversation_id)
