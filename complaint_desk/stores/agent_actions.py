"""The record of what agents did: who, what, in which conversation, when. Written by the console's routes
and the account tool; read by supervisors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk import clock
from complaint_desk.stores.tables import AgentActionRow

INTEGRATION_ACTOR = "integration"  # requests made with AGENT_API_TOKEN, not by a person

MESSAGE, TAKEOVER, HANDBACK, CLOSE = "message", "takeover", "handback", "close"
CLAIM, RELEASE, TRANSFER, NOTE = "claim", "release", "transfer", "note"
REVEAL, EXPORT_UNMASKED = "reveal", "export_unmasked"  # personal data shown or exported in full
LIBRARY_CHANGE = "library_change"
BLOCKED = "blocked"  # a message the guard refused to send
LOGIN, LOGOUT, ACCOUNT_CHANGE = "login", "logout", "account_change"


@dataclass(frozen=True)
class AgentAction:
    actor: str
    action: str
    conversation_id: str | None
    detail: str | None
    at: dt.datetime
    account_id: int | None = None


class AgentActions:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def record(self, account_id: int | None, actor: str, action: str, conversation_id: str | None = None,
               detail: str | None = None, now: dt.datetime | None = None) -> None:
        with self._sessions.begin() as session:
            session.add(AgentActionRow(account_id=account_id, actor=actor, action=action,
                                       conversation_id=conversation_id, detail=detail, at=now or clock.now()))

    def of_conversation(self, conversation_id: str) -> list[AgentAction]:
        return self._select(AgentActionRow.conversation_id == conversation_id)

    def recent(self, limit: int = 200) -> list[AgentAction]:
        return list(reversed(self._select(limit=limit, newest_first=True)))

    def _select(self, *conditions: object, limit: int | None = None, newest_first: bool = False) -> list[AgentAction]:
        order = (AgentActionRow.at.desc(), AgentActionRow.action_id.desc()) if newest_first else (
            AgentActionRow.at, AgentActionRow.action_id)
        query = sa.select(AgentActionRow).where(*conditions).order_by(*order)
        if limit is not None:
            query = query.limit(limit)
        with self._sessions() as session:
            return [AgentAction(row.actor, row.action, row.conversation_id, row.detail, row.at, row.account_id)
                    for row in session.scalars(query)]
