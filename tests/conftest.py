"""Fixtures shared by every test directory."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator

import pytest

from complaint_desk.paths import PROJECT_ROOT
from tools.services import Services, provide


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    """Real PostgreSQL, Redis and RabbitMQ: the machine's own, or throwaway ones (tools/services.py).

    Throwaway instances live under var/services/ rather than pytest's private temporary directory, which the
    `postgres` and `rabbitmq` users they run as could not enter."""
    root = PROJECT_ROOT / "var" / "services" / uuid.uuid4().hex[:8]
    root.mkdir(parents=True)
    running = provide(root)
    yield running
    running.stop()
    shutil.rmtree(root, ignore_errors=True)
