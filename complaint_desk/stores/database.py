"""One SQLAlchemy engine for the complaint desk's own tables (orders, tickets, follow-ups, handoffs).

The URL comes from COMPLAINT_DB_URL; the default is a SQLite file under var/. On PostgreSQL the
tables can live in their own schema: COMPLAINT_DB_SCHEMA, else POSTGRESQL_SCHEMA (the variable
Rasa's SQL tracker store reads), so tickets and conversations can share one database and schema.
"""

from __future__ import annotations

import os
import re
import sqlite3
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from sqlalchemy.orm import Session, sessionmaker

from complaint_desk.paths import PROJECT_ROOT

DEFAULT_DB_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'complaint_desk.db'}"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Any fixed number: every process that creates tables or seeds data waits on this one lock.
_WRITERS_LOCK_KEY = 7_202_611

_SCHEMA_OF: dict[sa.engine.Engine, str | None] = {}


def database_url() -> str:
    return os.environ.get("COMPLAINT_DB_URL") or DEFAULT_DB_URL


def database_schema() -> str | None:
    return os.environ.get("COMPLAINT_DB_SCHEMA") or os.environ.get("POSTGRESQL_SCHEMA") or None


def is_postgresql(url: str) -> bool:
    return url.startswith(("postgresql", "postgres://"))


def _sqlite_wal(dbapi_connection: Any, _connection_record: Any) -> None:
    """SQLite (development): write-ahead log, so readers do not wait on the writer and a commit is
    an append without a full sync; still durable if a process crashes (not on power loss)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()


def use_sqlite_wal_everywhere() -> None:
    """WAL for every SQLite connection any engine of this process opens (Rasa's tracker store too)."""
    if not sa.event.contains(sa.engine.Engine, "connect", _sqlite_wal):
        sa.event.listen(sa.engine.Engine, "connect", _sqlite_wal)


def sqlite_pool_options(url: str) -> dict[str, Any]:
    """A file SQLite database keeps its connections (SQLAlchemy 2.0's default) instead of opening, setting up
    and closing one per session, which 1.4 does (NullPool) and which cost a third of a development turn."""
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return {}
    return {"poolclass": sa.pool.QueuePool, "connect_args": {"check_same_thread": False}}


@cache
def engine_for(url: str, schema: str | None = None) -> sa.engine.Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # A database server can drop idle connections; a SQLite file cannot (the ping was a query per session).
    options: dict = {"future": True, "pool_pre_ping": not url.startswith("sqlite"), **sqlite_pool_options(url)}
    if schema is not None:
        if not is_postgresql(url):
            raise ValueError("只有 PostgreSQL 支持单独的 schema（COMPLAINT_DB_SCHEMA / POSTGRESQL_SCHEMA）")
        if not SCHEMA_NAME.match(schema):
            raise ValueError(f"schema 名称不合法：{schema!r}（只允许小写字母、数字和下划线）")
        options["connect_args"] = {"options": f"-csearch_path={schema}"}
    engine = sa.create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        use_sqlite_wal_everywhere()
    _SCHEMA_OF[engine] = schema
    return engine


def default_engine() -> sa.engine.Engine:
    return engine_for(database_url(), database_schema())


def serialize_writers(connection: sa.engine.Connection | Session) -> None:
    """On PostgreSQL, wait for other processes doing start-up writes (until this transaction ends).

    Several action servers and follow-up workers start at once; CREATE TABLE IF NOT EXISTS
    and read-then-insert seeding race without this.
    """
    dialect = connection.get_bind().dialect if isinstance(connection, Session) else connection.dialect
    if dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _WRITERS_LOCK_KEY})


def create_schema(engine: sa.engine.Engine) -> None:
    """Create the schema (PostgreSQL) and bring the complaint tables to the newest migration
    (complaint_desk/stores/migrations/, Alembic `upgrade head`). Safe to run any number of times, at once:
    every caller waits on one advisory lock. Rasa's own tables are never touched."""
    with engine.begin() as connection:
        serialize_writers(connection)
        schema = _SCHEMA_OF.get(engine)
        if schema is not None:
            connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        migrate(connection)


def migration_config(connection: sa.engine.Connection) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def migrate(connection: sa.engine.Connection, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(migration_config(connection), revision)


def current_revision(connection: sa.engine.Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def session_factory(engine: sa.engine.Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


def contains(column: Any, text: str) -> Any:
    """`column LIKE %text%` with LIKE's wildcards in `text` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")
