"""Alembic migrations of the complaint desk's own tables (never Rasa's); run by database.create_schema."""

from __future__ import annotations

import sqlalchemy as sa


def current_schema(connection: sa.engine.Connection) -> str | None:
    """The schema unqualified names resolve to now (PostgreSQL), None elsewhere."""
    if connection.dialect.name != "postgresql":
        return None
    return connection.execute(sa.text("SELECT current_schema()")).scalar()
