"""The complaint tables on PostgreSQL: own schema, creation safe to run twice and at once, unique tickets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from complaint_desk import clock
from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.stores import tickets as tickets_module
from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.stores.orders import OrderStore
from complaint_desk.stores.tickets import NewTicket, TicketStore
from tests.production.conftest import RUN_ID
from tools.services import Services

TABLES = {"demo_orders", "complaint_tickets", "complaint_follow_ups", "complaint_handoffs", "complaint_evidence",
          "agent_sessions", "conversation_index", "worker_heartbeats", "agent_accounts",
          "agent_login_sessions", "agent_actions", "conversation_notes", "reply_library_edits", "suggestion_feedback",
          "satisfaction_ratings", "shopper_conversations",
          "alembic_version"}
NEW_TICKET = NewTicket("conversation-1", "472918305561", "delivery", "L1", "shipping_coupon", "运费券补偿", 10.0,
                       ["angry"], dt.timedelta(hours=24))


@pytest.fixture(scope="module")
def schema(database: sa.engine.Engine) -> Iterator[str]:
    name = f"cd_test_{RUN_ID}_db"
    yield name
    with database.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))


@pytest.fixture(scope="module")
def engine(schema: str, services: Services) -> sa.engine.Engine:
    return engine_for(services.database_url, schema)


def tables_in(database: sa.engine.Engine, schema: str) -> set[str]:
    with database.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT table_name FROM information_schema.tables WHERE table_schema = :schema"), {"schema": schema}
        )
        return {row.table_name for row in rows}


def test_schema_creation_runs_twice_and_at_once(database: sa.engine.Engine, engine: sa.engine.Engine,
                                                schema: str) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: create_schema(engine), range(4)))
    create_schema(engine)
    assert tables_in(database, schema) == TABLES


def test_seeding_from_several_action_servers_at_once(engine: sa.engine.Engine) -> None:
    create_schema(engine)
    store = OrderStore(session_factory(engine))
    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = list(pool.map(lambda _: store.seed_demo_orders(KNOWLEDGE_DIR / "demo_orders.yml", clock.today()),
                               range(4)))
    assert len(set(counts)) == 1
    assert store.find("472918305561") is not None


def test_ticket_numbers_are_unique_under_concurrency(engine: sa.engine.Engine) -> None:
    create_schema(engine)
    store = TicketStore(session_factory(engine))
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(lambda _: store.open_ticket(NEW_TICKET).ticket_id, range(200)))
    assert len(set(ids)) == 200


def test_a_ticket_number_already_taken_is_drawn_again(engine: sa.engine.Engine,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    create_schema(engine)
    store = TicketStore(session_factory(engine))
    taken = store.open_ticket(NEW_TICKET).ticket_id
    draws = iter([taken, taken, "TS20991231ABCDEF"])
    monkeypatch.setattr(tickets_module, "_new_ticket_id", lambda now: next(draws))
    assert store.open_ticket(NEW_TICKET).ticket_id == "TS20991231ABCDEF"


def test_the_schema_keeps_the_run_apart(database: sa.engine.Engine, schema: str, services: Services) -> None:
    other = engine_for(services.database_url, f"{schema}_other")
    try:
        create_schema(other)
        assert tables_in(database, f"{schema}_other") == TABLES
        assert TicketStore(session_factory(other)).for_order("472918305561") == []
    finally:
        other.dispose()
        with database.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}_other" CASCADE'))


def test_a_postgresql_database_of_the_previous_release_is_migrated_with_its_rows(database: sa.engine.Engine,
                                                                                  services: Services) -> None:
    from complaint_desk.stores.database import current_revision, migrate

    schema = f"cd_test_{RUN_ID}_previous"
    engine = engine_for(services.database_url, schema)
    try:
        with engine.begin() as connection:  # the previous release: the baseline tables, no migration record
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            migrate(connection, "0001")
            connection.execute(sa.text("DROP TABLE alembic_version"))
            # as the previous release wrote it: the shop's wall-clock time, no zone
            connection.execute(sa.text(
                "INSERT INTO complaint_tickets (ticket_id, conversation_id, order_id, category, level, remedy_id, "
                "remedy_title, emotion_trend, status, created_at, resolve_by) VALUES ('TS20261101BBBB', "
                "'conversation-1', '472918305561', 'delivery', 'L1', 'reship', '补发', 'angry', 'open', "
                "'2026-11-01 10:00:00', '2026-11-02 10:00:00')"))
        create_schema(engine)
        with engine.connect() as connection:
            assert current_revision(connection) == "0011"
            stored = connection.execute(sa.text("SELECT created_at, resolve_by FROM complaint_tickets")).one()
        # the same instants, now with their zone (Asia/Shanghai is UTC+8)
        assert tuple(stored) == (dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC),
                                 dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC))
        assert tables_in(database, schema) == TABLES
        [ticket] = TicketStore(session_factory(engine)).for_order("472918305561")
        assert (ticket.conversation_id, ticket.created_at) == ("conversation-1", dt.datetime(2026, 11, 1, 10, 0))
    finally:
        engine.dispose()
        with database.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
