"""Heartbeats of background workers: each records when it last finished a round, so a stuck or dead worker
shows (Prometheus gauge, the container's liveness probe) instead of follow-ups silently piling up."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk.stores.tables import WorkerHeartbeatRow

FOLLOWUP_WORKER = "followup_worker"  # the role of runtime/followup_worker.py


class Heartbeats:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def beat(self, worker_id: str, role: str, now: dt.datetime) -> None:
        with self._sessions.begin() as session:
            row = session.get(WorkerHeartbeatRow, worker_id, with_for_update=True)
            if row is None:
                session.add(WorkerHeartbeatRow(worker_id=worker_id, role=role, beat_at=now))
            else:
                row.role, row.beat_at = role, now

    def last_beat(self, worker_id: str) -> dt.datetime | None:
        with self._sessions() as session:
            row = session.get(WorkerHeartbeatRow, worker_id)
            return row.beat_at if row else None

    def newest_of_role(self, role: str) -> dt.datetime | None:
        with self._sessions() as session:
            return session.scalar(sa.select(sa.func.max(WorkerHeartbeatRow.beat_at)).where(WorkerHeartbeatRow.role == role))
