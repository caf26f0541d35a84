"""The aggregates read PostgreSQL exactly as they read SQLite (same demo data, same clock)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from complaint_desk.insights.filters import InsightFilter
from complaint_desk.insights.report import InsightsCache, insights
from complaint_desk.insights.settings import default_settings
from complaint_desk.stores.database import engine_for, session_factory
from tools.seed_demo_tickets import seed
from tools.services import Services

NOW = dt.datetime(2026, 11, 30, 9, 0)


@pytest.fixture
def postgres_url(services: Services) -> Iterator[str]:
    admin = sa.create_engine(services.database_url, isolation_level="AUTOCOMMIT")
    name = f"insights_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    url = services.database_url.rsplit("/", 1)[0] + f"/{name}"
    yield url
    engine_for(url).dispose()
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_postgres_and_sqlite_give_the_same_aggregates(postgres_url: str, tmp_path: Path):
    sqlite_url = f"sqlite:///{tmp_path / 'same.db'}"
    for url in (postgres_url, sqlite_url):
        assert seed(url, count=150, seed=5, now=NOW) is not None
    filters = [InsightFilter(), InsightFilter(category="delivery"), InsightFilter(since=dt.date(2026, 11, 1), level="投诉")]
    for f in filters:
        on_postgres = insights(session_factory(engine_for(postgres_url)), f, now=NOW).as_dict()
        on_sqlite = insights(session_factory(engine_for(sqlite_url)), f, now=NOW).as_dict()
        assert on_postgres == on_sqlite
        assert on_postgres["summary"]["cases"] > 0
    cache = InsightsCache(session_factory(engine_for(postgres_url)), default_settings())
    assert cache.get(InsightFilter(), now=NOW) is cache.get(InsightFilter(), now=NOW)
