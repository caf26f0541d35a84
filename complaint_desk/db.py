"""One SQLAlchemy engine for the complaint desk's own tables (orders, tickets).

The URL comes from COMPLAINT_DB_URL; the default is a SQLite file under var/.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, sessionmaker

from complaint_desk.paths import PROJECT_ROOT

DEFAULT_DB_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'complaint_desk.db'}"

Base = declarative_base()


def database_url() -> str:
    return os.environ.get("COMPLAINT_DB_URL") or DEFAULT_DB_URL


@cache
def engine_for(url: str) -> sa.engine.Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return sa.create_engine(url, future=True, pool_pre_ping=True)


def create_schema(engine: sa.engine.Engine) -> None:
    """Create missing tables. Safe to run any number of times."""
    from complaint_desk import followups, handoff_queue, orders, tickets  # noqa: F401  (registers the tables)

    Base.metadata.create_all(engine)
    add_missing_columns(engine)


def add_missing_columns(engine: sa.engine.Engine) -> list[str]:
    """Add nullable columns that newer code declares to tables an older version created.

    create_all never alters an existing table, so a database from before a column was added
    would otherwise fail every query. Returns "table.column" for each column added.
    """
    inspector = sa.inspect(engine)
    existing_tables = set(inspector.get_table_names())
    added: list[str] = []
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name not in existing_tables:
                continue
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present or not column.nullable:
                    continue
                column_type = column.type.compile(dialect=engine.dialect)
                connection.execute(sa.text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {column_type}'))
                added.append(f"{table.name}.{column.name}")
    return added


def session_factory(engine: sa.engine.Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)
