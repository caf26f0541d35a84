"""Prometheus metrics of a Rasa replica, served as a Rasa custom channel at /webhooks/metrics/ (no login:
counts only, no customer data).

Per replica (sum them over replicas): customer turns by channel and outcome, their latency, messages refused
as bad input, agent messages the guard refused by family. From the shared database at each scrape (the same
on every replica; take the max): handoffs waiting for an agent, open tickets, follow-ups overdue,
follow-ups the worker gave up on, and the seconds since a follow-up worker last finished a round. Bot replies are checked by the guard in the action server, which has no
metrics endpoint yet.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import sessionmaker

from complaint_desk import clock
from complaint_desk.desk import shared_desk
from complaint_desk.stores.heartbeats import FOLLOWUP_WORKER, Heartbeats
from complaint_desk.stores.tables import FollowUpRow, HandoffRow, TicketRow

logger = logging.getLogger(__name__)

TURNS = Counter("complaint_desk_turns", "Customer messages handled, by channel and outcome "
                "(answered, silent_fallback: the no-reply fallback was sent, failed)", ["channel", "outcome"])
TURN_SECONDS = Histogram("complaint_desk_turn_seconds", "Time to handle one customer message, by channel",
                         ["channel"], buckets=(0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0))
REFUSED = Counter("complaint_desk_refused_messages", "Customer messages refused as bad input", ["channel", "reason"])
AGENT_BLOCKS = Counter("complaint_desk_agent_messages_blocked", "Agent messages the guard refused, by finding family",
                       ["family"])


class TurnTimer:
    """Times one customer turn; `done(outcome)` records it."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.started = time.perf_counter()

    def done(self, outcome: str) -> None:
        TURN_SECONDS.labels(self.channel).observe(time.perf_counter() - self.started)
        TURNS.labels(self.channel, outcome).inc()


class DeskBacklog(Collector):
    """Gauges read from the shared database at scrape time."""

    def __init__(self, sessions: Callable[[], sessionmaker] = lambda: shared_desk().sessions) -> None:
        self._sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            now = clock.now()
            with self._sessions()() as session:
                connection = session.connection()
                waiting = connection.execute(
                    sa.select(sa.func.count()).select_from(HandoffRow).where(HandoffRow.handed_back_at.is_(None))
                ).scalar()
                overdue_handoffs = connection.execute(
                    sa.select(sa.func.count()).select_from(HandoffRow).where(
                        HandoffRow.handed_back_at.is_(None), HandoffRow.answered_at.is_(None),
                        HandoffRow.respond_by < now)
                ).scalar()
                open_tickets = connection.execute(
                    sa.select(sa.func.count()).select_from(TicketRow).where(TicketRow.resolved_at.is_(None))
                ).scalar()
                unfired = FollowUpRow.fired_at.is_(None)
                overdue = connection.execute(sa.select(sa.func.count()).select_from(FollowUpRow).where(
                    unfired, FollowUpRow.failed_at.is_(None), FollowUpRow.due_at <= now)).scalar()
                failed = connection.execute(sa.select(sa.func.count()).select_from(FollowUpRow).where(
                    unfired, FollowUpRow.failed_at.is_not(None))).scalar()
            last_beat = Heartbeats(self._sessions()).newest_of_role(FOLLOWUP_WORKER)
        except Exception:  # a scrape must not fail because the database hiccups; the gauges are left out
            logger.exception("指标：读取数据库失败")
            return
        for name, documentation, value in (
            ("complaint_desk_handoffs_waiting", "Handed-off conversations no agent has handed back yet", waiting),
            ("complaint_desk_handoffs_overdue", "Handed-off conversations no agent answered by their deadline",
             overdue_handoffs),
            ("complaint_desk_open_tickets", "Tickets not resolved", open_tickets),
            ("complaint_desk_follow_ups_overdue", "Follow-ups past due, not fired, not given up", overdue),
            ("complaint_desk_follow_ups_failed", "Follow-ups the worker gave up on after its last attempt", failed),
        ):
            yield GaugeMetricFamily(name, documentation, value=float(value or 0))
        if last_beat is not None:
            yield GaugeMetricFamily("complaint_desk_followup_worker_seconds_since_beat",
                                    "Seconds since any follow-up worker last finished a round",
                                    value=max(0.0, (now - last_beat).total_seconds()))


_BACKLOG = DeskBacklog()
REGISTRY.register(_BACKLOG)


class MetricsInput(InputChannel):
    """Not a conversation channel: it only adds the Prometheus endpoint to Rasa's web server."""

    @classmethod
    def name(cls) -> str:
        return "metrics"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("prometheus_metrics", __name__)

        @bp.route("/", methods=["GET"])
        async def metrics(request: Request) -> HTTPResponse:
            import asyncio

            body = await asyncio.to_thread(generate_latest, REGISTRY)
            return response.raw(body, content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

        return bp
