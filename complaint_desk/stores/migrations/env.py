"""Alembic environment: migrations run on the connection create_schema hands over (inside its advisory lock)."""

from __future__ import annotations

from alembic import context

from complaint_desk.stores.migrations import current_schema

connection = context.config.attributes["connection"]
# On PostgreSQL the tables live in the connection's search_path schema (COMPLAINT_DB_SCHEMA); name it, since
# SQLAlchemy remembers the default schema of the first connection, made before that schema may have existed.
schema = current_schema(connection)
context.configure(connection=connection, target_metadata=None, transaction_per_migration=False,
                  version_table_schema=schema)
with context.begin_transaction():
    context.run_migrations()
