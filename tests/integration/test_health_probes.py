"""The orchestrator's probes on a development stack (SQLite, in-memory locks, in-process broker)."""

from __future__ import annotations

import requests

from tools.stack import Stack


def test_a_running_replica_is_live_and_ready_and_says_what_it_checked(stack: Stack) -> None:
    assert requests.get(f"{stack.rasa_url}/webhooks/health/live", timeout=30).json() == {"status": "ok"}
    ready = requests.get(f"{stack.rasa_url}/webhooks/health/ready", timeout=30)
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ready"
    assert body["checks"] == {"model": "ok", "complaint_database": "ok", "tracker_store": "ok", "event_broker": "ok"}
    assert ready.headers["Cache-Control"] == "no-store"
