"""Readiness checks fail closed: a dependency that raises or hangs makes the replica not ready."""

from __future__ import annotations

import asyncio
import time

from channels import health


def test_a_failing_or_hanging_dependency_is_reported_unavailable(monkeypatch) -> None:
    monkeypatch.setattr(health, "CHECK_TIMEOUT_SECONDS", 0.2)

    def refuses() -> None:
        raise ConnectionRefusedError("127.0.0.1:6379")

    checks = {"fine": lambda: None, "refuses": refuses, "hangs": lambda: time.sleep(2)}
    assert asyncio.run(health.run_checks(checks)) == {"fine": "ok", "refuses": "unavailable", "hangs": "unavailable"}


def test_without_an_agent_only_the_complaint_database_is_checked() -> None:
    assert list(health.readiness_checks(None)) == ["complaint_database"]
