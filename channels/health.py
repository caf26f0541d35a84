"""Liveness and readiness of a Rasa replica, for the orchestrator's probes, as a Rasa custom channel.

Registered in credentials.yml, so Rasa serves it at /webhooks/health/:
- GET /live    200 while the server answers (the process is not stuck);
- GET /ready   200 when the replica can serve a customer: the model is loaded and the complaint database,
               the tracker store's database, Redis (lock store) and RabbitMQ (event broker) answer, each
               where configured; 503 with the failing checks otherwise.
No login: the answers name components and their state, never data or addresses.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from complaint_desk.stores.database import default_engine

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3.0
NO_STORE = {"Cache-Control": "no-store"}


def _sql_answers(engine: sa.engine.Engine) -> None:
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


def _innermost(store: Any, attribute: str) -> Any:
    """`attribute` of the tracker store Rasa wraps (AwaitableTrackerStore, FailSafeTrackerStore, …)."""
    for _ in range(5):
        if store is None or hasattr(store, attribute):
            break
        store = getattr(store, "_tracker_store", None)
    return getattr(store, attribute, None)


def readiness_checks(agent: Any) -> dict[str, Callable[[], Any]]:
    """Name → a blocking call that raises when that dependency does not answer."""
    checks: dict[str, Callable[[], Any]] = {"complaint_database": lambda: _sql_answers(default_engine())}
    tracker_engine = _innermost(getattr(agent, "tracker_store", None), "engine")
    if tracker_engine is not None:
        checks["tracker_store"] = lambda: _sql_answers(tracker_engine)
    redis_client = getattr(getattr(agent, "lock_store", None), "red", None)
    if redis_client is not None:
        checks["lock_store"] = redis_client.ping
    broker = getattr(getattr(agent, "tracker_store", None), "event_broker", None)
    if broker is not None and hasattr(broker, "is_ready"):
        def broker_ready() -> None:
            if not broker.is_ready():
                raise ConnectionError("event broker not connected")
        checks["event_broker"] = broker_ready
    return checks


async def run_checks(checks: dict[str, Callable[[], Any]]) -> dict[str, str]:
    async def one(name: str, check: Callable[[], Any]) -> tuple[str, str]:
        try:
            await asyncio.wait_for(asyncio.to_thread(check), CHECK_TIMEOUT_SECONDS)
            return name, "ok"
        except Exception as error:  # any failure means "not ready"; the log keeps the detail
            logger.warning("就绪检查 %s 未通过：%s", name, error)
            return name, "unavailable"

    return dict(await asyncio.gather(*(one(name, check) for name, check in checks.items())))


class HealthInput(InputChannel):
    """Not a conversation channel: it only adds the probes to Rasa's web server."""

    @classmethod
    def name(cls) -> str:
        return "health"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("health_probes", __name__)

        @bp.route("/live", methods=["GET"])
        async def live(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"}, headers=NO_STORE)

        @bp.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            checks = {"model": "ok" if agent is not None and agent.is_ready() else "unavailable"}
            checks.update(await run_checks(readiness_checks(agent)))
            is_ready = all(state == "ok" for state in checks.values())
            return response.json({"status": "ready" if is_ready else "not_ready", "checks": checks},
                                 status=200 if is_ready else 503, headers=NO_STORE)

        return bp
