"""Follow-up visits (回访) on tickets, stored so they survive restarts and fire exactly once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk.stores.tables import FollowUpRow


@dataclass(frozen=True)
class FollowUp:
    follow_up_id: int
    ticket_id: str
    conversation_id: str
    due_at: dt.datetime
    fired_at: dt.datetime | None
    attempts: int


def _to_follow_up(row: FollowUpRow) -> FollowUp:
    return FollowUp(row.follow_up_id, row.ticket_id, row.conversation_id, row.due_at, row.fired_at, row.attempts)


class FollowUpStore:
    """A claim is a conditional UPDATE, so two workers never fire the same follow-up."""

    def __init__(self, sessions: sessionmaker, claim_timeout: dt.timedelta = dt.timedelta(minutes=5)) -> None:
        self._sessions = sessions
        self._claim_timeout = claim_timeout

    def schedule(self, ticket_id: str, conversation_id: str, due_at: dt.datetime) -> FollowUp:
        row = FollowUpRow(ticket_id=ticket_id, conversation_id=conversation_id, due_at=due_at, attempts=0)
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            return _to_follow_up(row)

    def claim_due(self, now: dt.datetime, limit: int = 20) -> list[FollowUp]:
        """Due, unfired follow-ups whose claim this caller won."""
        stale_claim = now - self._claim_timeout
        claimable = sa.and_(
            FollowUpRow.fired_at.is_(None),
            FollowUpRow.due_at <= now,
            sa.or_(FollowUpRow.claimed_at.is_(None), FollowUpRow.claimed_at < stale_claim),
        )
        claimed: list[FollowUp] = []
        with self._sessions.begin() as session:
            candidates = session.scalars(
                sa.select(FollowUpRow.follow_up_id).where(claimable).order_by(FollowUpRow.due_at).limit(limit)
            ).all()
            for follow_up_id in candidates:
                won = session.execute(
                    sa.update(FollowUpRow)
                    .where(FollowUpRow.follow_up_id == follow_up_id, claimable)
                    .values(claimed_at=now, attempts=FollowUpRow.attempts + 1)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if won:
                    claimed.append(_to_follow_up(session.get(FollowUpRow, follow_up_id)))
        return claimed

    def mark_fired(self, follow_up_id: int, now: dt.datetime) -> None:
        with self._sessions.begin() as session:
            session.execute(
                sa.update(FollowUpRow).where(FollowUpRow.follow_up_id == follow_up_id).values(fired_at=now)
            )

    def release(self, follow_up_id: int) -> None:
        """Firing failed: let the next round try again."""
        with self._sessions.begin() as session:
            session.execute(
                sa.update(FollowUpRow).where(FollowUpRow.follow_up_id == follow_up_id).values(claimed_at=None)
            )
