"""The follow-up worker against a real HTTP server that fails, then recovers, and against a closed port."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from complaint_desk import clock
from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.stores.follow_ups import FollowUpStore, RetryPolicy
from runtime.followup_worker import FOLLOW_UP_INTENT, run_once

PAST = clock.now() - dt.timedelta(hours=1)
ONE_ATTEMPT_EACH = RetryPolicy(first_delay=dt.timedelta(milliseconds=1), max_delay=dt.timedelta(milliseconds=1),
                               max_attempts=2)


class FakeRasa(http.server.BaseHTTPRequestHandler):
    status = 503
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeRasa.received.append({"path": self.path, "body": body})
        self.send_response(FakeRasa.status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def rasa_url() -> Iterator[str]:
    FakeRasa.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def store(tmp_path: Path) -> FollowUpStore:
    engine = engine_for(f"sqlite:///{tmp_path / 'worker.db'}")
    create_schema(engine)
    return FollowUpStore(session_factory(engine), retry=ONE_ATTEMPT_EACH)


def pending(store: FollowUpStore) -> list:
    return store.claim_due(clock.now() + dt.timedelta(seconds=1))


def test_an_error_from_rasa_is_retried_and_a_recovery_fires_once(store, rasa_url):
    store.schedule("T1", "conv-1", PAST)
    FakeRasa.status = 503
    assert run_once(store, rasa_url, "secret") == 0
    FakeRasa.status = 200
    assert run_once(store, rasa_url, "secret") == 1
    assert run_once(store, rasa_url, "secret") == 0
    assert len(FakeRasa.received) == 2
    assert FakeRasa.received[-1]["path"].startswith("/conversations/conv-1/trigger_intent")
    assert FakeRasa.received[-1]["body"] == {"name": FOLLOW_UP_INTENT, "entities": {"ticket_id": "T1"}}


def test_a_follow_up_that_keeps_failing_is_given_up_with_its_error(store, rasa_url, caplog):
    store.schedule("T1", "conv-1", PAST)
    FakeRasa.status = 500
    for _ in range(ONE_ATTEMPT_EACH.max_attempts + 2):
        run_once(store, rasa_url, "secret")
    assert len(FakeRasa.received) == ONE_ATTEMPT_EACH.max_attempts
    assert pending(store) == []
    assert "已停止重试" in caplog.text and "HTTP 500" in caplog.text


def test_rasa_not_listening_counts_as_a_failed_attempt(store):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    store.schedule("T1", "conv-1", PAST)
    assert run_once(store, f"http://127.0.0.1:{closed_port}", "secret") == 0
    [again] = pending(store)
    assert again.attempts == 2 and "ConnectionError" in (again.last_error or "")


def test_the_liveness_check_needs_a_recent_round_of_this_hosts_worker(tmp_path: Path) -> None:
    from complaint_desk.stores.heartbeats import Heartbeats
    from runtime.followup_worker import ROLE, alive, worker_id

    engine = engine_for(f"sqlite:///{tmp_path / 'beats.db'}")
    create_schema(engine)
    beats = Heartbeats(session_factory(engine))
    now = dt.datetime(2026, 12, 7, 10, 0)
    assert not alive(beats, 30, now), "never beat: not alive"
    beats.beat("another-host:followup_worker", ROLE, now)
    assert not alive(beats, 30, now), "another host's beat does not count"
    beats.beat(worker_id(), ROLE, now - dt.timedelta(seconds=100))
    assert alive(beats, 30, now)
    assert not alive(beats, 30, now + dt.timedelta(minutes=5)), "stale: three polls and a minute have passed"
    assert beats.newest_of_role(ROLE) == now
