"""Fixtures shared by every test directory."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tools.services import Services, provide, scratch_dir


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    """Real PostgreSQL, Redis and RabbitMQ: the machine's own, or throwaway ones (tools/services.py).

    Throwaway instances live in a scratch directory rather than pytest's private temporary one, which the
    `postgres` and `rabbitmq` users they run as could not enter."""
    root = scratch_dir()
    running = provide(root)
    yield running
    running.stop()
    shutil.rmtree(root, ignore_errors=True)
