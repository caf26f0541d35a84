"""The conversation index: one row per conversation, as the agent console's list shows it, paged and sorted in SQL.

Written whenever a conversation's tracker is saved (runtime/indexed_tracker_store.py) or an agent changes its
mode (channels/agent_assist.py); the console's list reads only this table, never the tracker store. A row
never goes back in time: an older write that arrives late is ignored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk.nlu.cues import normalized_text
from complaint_desk.stores.database import contains
from complaint_desk.stores.tables import ConversationIndexRow

MAX_PAGE = 200


def search_key(text: str) -> str:
    """Text as it is searched: as the NLU reads it (simplified, half-width, lower case; cached, since every save
    re-reads the whole conversation), without spaces and dashes between digits (138-1234-5678 finds 13812345678)."""
    return re.sub(r"(?<=\d)[\s-]+(?=\d)", "", normalized_text(text)).strip()


def search_text(customer_words: Iterable[str], numbers: Iterable[str | None]) -> str:
    """What a conversation is found by: everything the customer wrote, and its order and ticket numbers."""
    return "\n".join(search_key(part) for part in [*customer_words, *filter(None, numbers)] if part)


def _listed(team: str | None, owner_id: int | None) -> list[Any]:
    """The console list's conditions: a customer turn at least; one team's queue or one owner's, if asked."""
    conditions: list[Any] = [ConversationIndexRow.turns > 0]
    if team is not None:
        conditions.append(ConversationIndexRow.team == team)
    if owner_id is not None:
        conditions.append(ConversationIndexRow.owner_id == owner_id)
    return conditions


class ConversationIndex:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def put(self, row: Mapping[str, Any], search_text: str | None = None) -> bool:
        """Insert or update the row of row["conversation_id"]; False when the stored row is newer.
        `search_text`: what the conversation is found by (see `search_text()`)."""
        values = {
            "conversation_id": row["conversation_id"],
            "risk_rank": int(row["risk"]["rank"]),
            "risk_score": float(row["risk"]["score"]),
            "updated_at": float(row["updated_at"] or 0.0),
            "turns": int(row["turns"]),
            "mode": str(row["mode"]),
            "row": json.dumps(row, ensure_ascii=False),
            "team": (row.get("queue") or {}).get("team"),
            "owner_id": (row.get("queue") or {}).get("owner_id"),
        }
        if search_text is not None:
            values["search_text"] = search_text
        with self._sessions.begin() as session:
            stored = session.get(ConversationIndexRow, values["conversation_id"], with_for_update=True)
            if stored is None:
                try:
                    with session.begin_nested():
                        session.add(ConversationIndexRow(**values))
                    return True
                except sa.exc.IntegrityError:  # another replica inserted it just now
                    stored = session.get(ConversationIndexRow, values["conversation_id"], with_for_update=True)
            if stored.updated_at > values["updated_at"]:
                return False
            for key, value in values.items():
                setattr(stored, key, value)
            return True

    def page(self, limit: int = MAX_PAGE, offset: int = 0, team: str | None = None,
             owner_id: int | None = None) -> list[dict[str, Any]]:
        """Conversations with at least one customer turn, most at risk first, then most recent; optionally only
        those in one team's queue, or owned by one agent."""
        limit = max(1, min(int(limit), MAX_PAGE))
        conditions = _listed(team, owner_id)
        with self._sessions() as session:
            texts = session.scalars(
                sa.select(ConversationIndexRow.row)
                .where(*conditions)
                .order_by(ConversationIndexRow.risk_rank.desc(), ConversationIndexRow.risk_score.desc(),
                          ConversationIndexRow.updated_at.desc())
                .limit(limit).offset(max(0, int(offset)))
            ).all()
        return [json.loads(text) for text in texts]

    def search(self, query: str, limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """Conversations whose customer words, order or ticket numbers contain the query (normalized like the
        text), most recent first; and how many match in all."""
        needle = search_key(query)
        if not needle:
            return [], 0
        condition = contains(ConversationIndexRow.search_text, needle)
        limit = max(1, min(int(limit), MAX_PAGE))
        with self._sessions() as session:
            texts = session.scalars(
                sa.select(ConversationIndexRow.row).where(condition)
                .order_by(ConversationIndexRow.updated_at.desc()).limit(limit).offset(max(0, int(offset)))
            ).all()
            total = session.scalar(sa.select(sa.func.count()).select_from(ConversationIndexRow).where(condition))
        return [json.loads(text) for text in texts], total or 0

    def updated_since(self, since: float) -> dict[str, float]:
        """Each conversation whose row was updated after `since` (a Unix time), with its row's time."""
        with self._sessions() as session:
            rows = session.execute(
                sa.select(ConversationIndexRow.conversation_id, ConversationIndexRow.updated_at)
                .where(ConversationIndexRow.updated_at > since)
            ).all()
        return {conversation_id: float(updated_at) for conversation_id, updated_at in rows}

    def count(self, team: str | None = None, owner_id: int | None = None) -> int:
        """How many conversations `page` lists in all, with the same filters."""
        with self._sessions() as session:
            return session.scalar(
                sa.select(sa.func.count()).select_from(ConversationIndexRow).where(*_listed(team, owner_id))
            ) or 0
