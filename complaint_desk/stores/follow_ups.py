"""Follow-up visits (回访) on tickets, stored so they survive restarts and fire exactly once.

A follow-up that cannot be fired is retried with a growing delay (`RetryPolicy`); after the last allowed
attempt it is marked failed, keeps its last error, and shows on the supervisor page instead of retrying forever.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk.stores.tables import FollowUpRow

ERROR_TEXT_LIMIT = 500  # FollowUpRow.last_error


@dataclass(frozen=True)
class RetryPolicy:
    """Delay after the n-th failed attempt: first_delay · factor^(n-1), at most max_delay; give up after max_attempts."""

    first_delay: dt.timedelta = dt.timedelta(seconds=30)
    factor: float = 2.0
    max_delay: dt.timedelta = dt.timedelta(hours=1)
    max_attempts: int = 10

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.factor < 1 or self.first_delay <= dt.timedelta(0) or self.max_delay < self.first_delay:
            raise ValueError("retry delays must be positive and grow")

    def delay_after(self, attempts: int) -> dt.timedelta:
        seconds = self.first_delay.total_seconds() * self.factor ** max(attempts - 1, 0)
        return min(dt.timedelta(seconds=seconds), self.max_delay)


@dataclass(frozen=True)
class FollowUp:
    follow_up_id: int
    ticket_id: str
    conversation_id: str
    due_at: dt.datetime
    fired_at: dt.datetime | None
    attempts: int
    next_attempt_at: dt.datetime | None = None
    failed_at: dt.datetime | None = None
    last_error: str | None = None


def _to_follow_up(row: FollowUpRow) -> FollowUp:
    return FollowUp(row.follow_up_id, row.ticket_id, row.conversation_id, row.due_at, row.fired_at, row.attempts,
                    row.next_attempt_at, row.failed_at, row.last_error)


class FollowUpStore:
    """A claim is a conditional UPDATE, so two workers never fire the same follow-up."""

    def __init__(self, sessions: sessionmaker, claim_timeout: dt.timedelta = dt.timedelta(minutes=5),
                 retry: RetryPolicy | None = None) -> None:
        self._sessions = sessions
        self._claim_timeout = claim_timeout
        self.retry = retry or RetryPolicy()

    def schedule(self, ticket_id: str, conversation_id: str, due_at: dt.datetime) -> FollowUp:
        row = FollowUpRow(ticket_id=ticket_id, conversation_id=conversation_id, due_at=due_at, attempts=0)
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            return _to_follow_up(row)

    def claim_due(self, now: dt.datetime, limit: int = 20) -> list[FollowUp]:
        """Due, unfired, not given-up follow-ups whose retry time has come and whose claim this caller won."""
        stale_claim = now - self._claim_timeout
        claimable = sa.and_(
            FollowUpRow.fired_at.is_(None),
            FollowUpRow.failed_at.is_(None),
            FollowUpRow.due_at <= now,
            sa.or_(FollowUpRow.next_attempt_at.is_(None), FollowUpRow.next_attempt_at <= now),
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
                sa.update(FollowUpRow).where(FollowUpRow.follow_up_id == follow_up_id)
                .values(fired_at=now, next_attempt_at=None)
            )

    def release(self, follow_up: FollowUp, now: dt.datetime, error: str) -> FollowUp:
        """Firing failed: retry after the policy's delay, or mark the follow-up failed after its last attempt."""
        values: dict = {"claimed_at": None, "last_error": error[:ERROR_TEXT_LIMIT]}
        if follow_up.attempts >= self.retry.max_attempts:
            values.update(failed_at=now, next_attempt_at=None)
        else:
            values["next_attempt_at"] = now + self.retry.delay_after(follow_up.attempts)
        with self._sessions.begin() as session:
            session.execute(
                sa.update(FollowUpRow).where(FollowUpRow.follow_up_id == follow_up.follow_up_id).values(**values)
            )
            return _to_follow_up(session.get(FollowUpRow, follow_up.follow_up_id))
