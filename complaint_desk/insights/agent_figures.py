"""Per-agent figures for supervisors: conversations handled (any work on them: taking over, claiming,
transferring, a note, a message, handing back or closing), messages, first response and resolution times,
satisfaction of the customers they handled, and messages the guard refused."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk.stores.agent_actions import BLOCKED, CLAIM, CLOSE, HANDBACK, MESSAGE, NOTE, TAKEOVER, TRANSFER
from complaint_desk.stores.tables import AgentAccountRow, AgentActionRow, HandoffRow, TicketRow

HANDLING = (MESSAGE, TAKEOVER, CLAIM, TRANSFER, NOTE, HANDBACK, CLOSE)


@dataclass(frozen=True)
class AgentFigures:
    username: str
    display_name: str
    role: str
    team: str | None
    handled: int
    messages: int
    first_response_minutes: float | None  # median, hand-offs they owned and answered
    resolution_minutes: float | None  # median, hand-off to hand-back, hand-offs they owned
    satisfied: int
    rated: int
    guard_blocks: int

    def public(self) -> dict[str, object]:
        return {**self.__dict__, "satisfaction_rate": round(self.satisfied / self.rated, 3) if self.rated else None}


def _median_minutes(spans: list[dt.timedelta]) -> float | None:
    return round(statistics.median(s.total_seconds() for s in spans) / 60, 1) if spans else None


def agent_figures(sessions: sessionmaker, since: dt.datetime | None = None) -> list[AgentFigures]:
    """One row per account that did anything since `since` (or ever), most conversations handled first."""
    action_filter = [AgentActionRow.account_id.is_not(None)]
    handoff_filter = [HandoffRow.owner_id.is_not(None)]
    if since is not None:
        action_filter.append(AgentActionRow.at >= since)
        handoff_filter.append(HandoffRow.created_at >= since)
    handled: dict[int, set[str]] = defaultdict(set)
    messages: dict[int, int] = defaultdict(int)
    blocks: dict[int, int] = defaultdict(int)
    first: dict[int, list[dt.timedelta]] = defaultdict(list)
    resolution: dict[int, list[dt.timedelta]] = defaultdict(list)
    with sessions() as session:
        for account_id, action, conversation_id in session.execute(
                sa.select(AgentActionRow.account_id, AgentActionRow.action, AgentActionRow.conversation_id)
                .where(*action_filter)):
            if action in HANDLING and conversation_id:
                handled[account_id].add(conversation_id)
            messages[account_id] += action == MESSAGE
            blocks[account_id] += action == BLOCKED
        for owner, created, answered, back in session.execute(
                sa.select(HandoffRow.owner_id, HandoffRow.created_at, HandoffRow.answered_at, HandoffRow.handed_back_at)
                .where(*handoff_filter)):
            if answered is not None:
                first[owner].append(answered - created)
            if back is not None:
                resolution[owner].append(back - created)
        conversations = {c for ids in handled.values() for c in ids}
        ratings = dict(session.execute(
            sa.select(TicketRow.conversation_id, TicketRow.satisfaction)
            .where(TicketRow.conversation_id.in_(conversations), TicketRow.satisfaction.is_not(None)))
            .all()) if conversations else {}
        accounts = session.scalars(sa.select(AgentAccountRow)).all()
    rows = []
    for account in accounts:
        ids = handled.get(account.account_id, set())
        if not ids and not blocks.get(account.account_id) and not first.get(account.account_id):
            continue
        rated = [ratings[c] for c in ids if c in ratings]
        rows.append(AgentFigures(
            account.username, account.display_name, account.role, account.team, len(ids),
            messages.get(account.account_id, 0), _median_minutes(first.get(account.account_id, [])),
            _median_minutes(resolution.get(account.account_id, [])), sum(r == "satisfied" for r in rated), len(rated),
            blocks.get(account.account_id, 0)))
    return sorted(rows, key=lambda r: (-r.handled, r.username))
