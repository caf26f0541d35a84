"""The orchestrator's probes and the Prometheus metrics on a development stack (SQLite, in-memory locks)."""

from __future__ import annotations

import requests

from tests.integration.conftest import Customer
from tools.stack import Stack


def test_a_running_replica_is_live_and_ready_and_says_what_it_checked(stack: Stack) -> None:
    assert requests.get(f"{stack.rasa_url}/webhooks/health/live", timeout=30).json() == {"status": "ok"}
    ready = requests.get(f"{stack.rasa_url}/webhooks/health/ready", timeout=30)
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ready"
    assert body["checks"] == {"model": "ok", "complaint_database": "ok", "tracker_store": "ok", "event_broker": "ok"}
    assert ready.headers["Cache-Control"] == "no-store"


def test_metrics_count_the_turns_this_replica_handled(stack: Stack) -> None:
    def answered() -> float:
        text = requests.get(f"{stack.rasa_url}/webhooks/metrics/", timeout=30).text
        line = next((line for line in text.splitlines()
                     if line.startswith('complaint_desk_turns_total{channel="rest",outcome="answered"}')), None)
        return float(line.rsplit(" ", 1)[1]) if line else 0.0

    before = answered()
    Customer(stack).say("你好，我想问一下退货怎么弄")
    assert answered() == before + 1
    text = requests.get(f"{stack.rasa_url}/webhooks/metrics/", timeout=30).text
    assert "complaint_desk_turn_seconds_bucket" in text and "complaint_desk_handoffs_waiting" in text
