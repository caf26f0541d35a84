"""The action server's Prometheus endpoint (ACTION_METRICS_PORT)."""

from __future__ import annotations

import socket
import urllib.request

import pytest

from actions.metrics import BOT_REPLIES_CHECKED, BOT_REPLIES_REWRITTEN, serve_from_environment


def test_no_port_no_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACTION_METRICS_PORT", raising=False)
    assert serve_from_environment() is None


def test_the_endpoint_serves_the_guard_counters(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ACTION_METRICS_PORT", str(port))
    assert serve_from_environment() == port
    BOT_REPLIES_CHECKED.inc()
    BOT_REPLIES_REWRITTEN.labels("promise").inc()
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    assert "complaint_desk_bot_replies_checked_total" in text
    assert 'complaint_desk_bot_replies_rewritten_total{family="promise"}' in text
