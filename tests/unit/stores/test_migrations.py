"""Schema migrations (Alembic): a fresh database, a database of the previous release with rows in it, and the
ORM classes all end up agreeing; nothing is lost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from complaint_desk.stores.database import (
    create_schema,
    current_revision,
    engine_for,
    migrate,
    migration_config,
    session_factory,
)
from complaint_desk.stores.follow_ups import FollowUpStore
from complaint_desk.stores.tables import Base
from complaint_desk.stores.tickets import NewTicket, TicketStore

HEAD = "0011"


def differences(engine: sa.engine.Engine) -> list:
    with engine.connect() as connection:
        found = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    # Alembic's own table is no ORM class.
    return [diff for diff in found if not (diff[0] == "remove_table" and diff[1].name == "alembic_version")]


def test_a_fresh_database_is_migrated_to_the_schema_the_code_uses(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'fresh.db'}")
    create_schema(engine)
    create_schema(engine)  # twice: nothing to do the second time
    with engine.connect() as connection:
        assert current_revision(connection) == HEAD
    assert differences(engine) == []


def test_a_database_of_the_previous_release_keeps_its_rows(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'previous.db'}")
    with engine.begin() as connection:  # what the previous release's create_all made: the baseline, no version
        migrate(connection, "0001")
        connection.execute(sa.text("DROP TABLE alembic_version"))
        connection.execute(sa.text(
            "INSERT INTO complaint_tickets (ticket_id, conversation_id, order_id, category, level, remedy_id, "
            "remedy_title, emotion_trend, status, created_at) VALUES ('TS20261101AAAA', 'c1', '472918305561', "
            "'delivery', 'complaint', 'reship', '补发', 'angry', 'open', '2026-11-01 10:00:00')"))
        connection.execute(sa.text(
            "INSERT INTO complaint_follow_ups (ticket_id, conversation_id, due_at, attempts) "
            "VALUES ('TS20261101AAAA', 'c1', '2026-11-03 10:00:00', 0)"))

    create_schema(engine)

    sessions = session_factory(engine)
    ticket = TicketStore(sessions).get("TS20261101AAAA")
    assert ticket is not None and (ticket.remedy_title, ticket.order_id) == ("补发", "472918305561")
    assert ticket.created_at == dt.datetime(2026, 11, 1, 10, 0)  # the shop's wall-clock time, as it was written
    with engine.connect() as connection:  # stored as the same instant in UTC (Asia/Shanghai is UTC+8)
        assert connection.execute(sa.text("SELECT created_at FROM complaint_tickets")).scalar().startswith(
            "2026-11-01 02:00:00")
    [follow_up] = FollowUpStore(sessions).claim_due(dt.datetime(2026, 11, 4))
    assert (follow_up.ticket_id, follow_up.attempts, follow_up.failed_at) == ("TS20261101AAAA", 1, None)
    assert follow_up.due_at == dt.datetime(2026, 11, 3, 10, 0)
    assert differences(engine) == []


def test_times_written_before_the_utc_migration_survive_it_and_its_downgrade(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'times.db'}")
    with engine.begin() as connection:
        migrate(connection, "0003")
        connection.execute(sa.text(
            "INSERT INTO complaint_handoffs (conversation_id, reason, summary, created_at, handed_back_at) "
            "VALUES ('c3', 'fraud', '疑似盗刷', '2026-11-02 00:30:00.000000', NULL)"))
        connection.execute(sa.text("INSERT INTO worker_heartbeats (worker_id, role, beat_at) "
                                   "VALUES ('w1', 'followup_worker', '2026-11-02 07:59:59.000000')"))
        migrate(connection, "0004")
        stored = connection.execute(sa.text(
            "SELECT h.created_at, h.handed_back_at, w.beat_at FROM complaint_handoffs h, worker_heartbeats w")).one()
        assert tuple(stored) == ("2026-11-01 16:30:00.000000", None, "2026-11-01 23:59:59.000000")
        command_downgrade(connection, "0003")
        stored = connection.execute(sa.text(
            "SELECT h.created_at, w.beat_at FROM complaint_handoffs h, worker_heartbeats w")).one()
        assert tuple(stored) == ("2026-11-02 00:30:00.000000", "2026-11-02 07:59:59.000000")


def command_downgrade(connection: sa.engine.Connection, revision: str) -> None:
    from alembic import command

    command.downgrade(migration_config(connection), revision)


def test_an_older_database_missing_a_nullable_column_gains_it(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'older.db'}")
    with engine.begin() as connection:
        connection.execute(sa.text(
            "CREATE TABLE complaint_handoffs (handoff_id INTEGER NOT NULL, conversation_id VARCHAR(255) NOT NULL, "
            "reason VARCHAR(40) NOT NULL, summary TEXT NOT NULL, created_at DATETIME NOT NULL, "
            "handed_back_at DATETIME, PRIMARY KEY (handoff_id))"))
        connection.execute(sa.text("CREATE INDEX ix_complaint_handoffs_conversation_id "
                                   "ON complaint_handoffs (conversation_id)"))
        connection.execute(sa.text("INSERT INTO complaint_handoffs (conversation_id, reason, summary, created_at) "
                                   "VALUES ('c9', 'privacy', '客户反映个人信息泄露', '2026-10-01 09:00:00')"))
    create_schema(engine)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT conversation_id, category FROM complaint_handoffs")).all()
    assert [tuple(row) for row in rows] == [("c9", None)]
    assert differences(engine) == []


def test_new_tickets_are_written_after_the_upgrade(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'after.db'}")
    create_schema(engine)
    store = TicketStore(session_factory(engine))
    ticket = store.open_ticket(NewTicket(conversation_id="c2", order_id=None, category="quality", level="complaint",
                                         remedy_id="exchange", remedy_title="换货", remedy_amount=None,
                                         emotion_trend=["neutral"], resolve_within=dt.timedelta(hours=48)))
    assert store.get(ticket.ticket_id) is not None
