import datetime as dt
from pathlib import Path

import pytest

from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.stores.orders import OrderStore

DEMO_ORDERS = Path(__file__).resolve().parents[3] / "knowledge" / "demo_orders.yml"


@pytest.fixture
def store(tmp_path: Path) -> OrderStore:
    engine = engine_for(f"sqlite:///{tmp_path / 'orders.db'}")
    create_schema(engine)
    return OrderStore(session_factory(engine))


def test_demo_orders_are_seeded_relative_to_today(store: OrderStore) -> None:
    today = dt.date(2026, 11, 22)
    assert store.seed_demo_orders(DEMO_ORDERS, today) >= 5
    late = store.find("472918305561")
    assert late is not None
    assert late.delivered_at is None
    assert late.promised_delivery_at == today - dt.timedelta(days=5)
    assert late.days_late(today) == 5


def test_seeding_twice_does_not_duplicate_or_fail(store: OrderStore) -> None:
    today = dt.date(2026, 11, 22)
    store.seed_demo_orders(DEMO_ORDERS, today)
    store.seed_demo_orders(DEMO_ORDERS, today + dt.timedelta(days=1))
    assert store.find("472918305561").purchased_at == today + dt.timedelta(days=1) - dt.timedelta(days=9)


def test_unknown_order_is_none(store: OrderStore) -> None:
    assert store.find("000000000000") is None


def test_sqlite_databases_use_write_ahead_logging(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
