"""Every stored time becomes an instant in UTC (PostgreSQL: timestamp with time zone).

Until now the columns held the shop's wall-clock time without a zone. The rows are converted from the shop's
time zone (knowledge/shop.yml) to UTC; downgrading converts them back.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from complaint_desk import clock

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# table: (primary key, time columns, the columns that may not be empty)
TIME_COLUMNS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "complaint_tickets": ("ticket_id", ("created_at", "resolve_by", "first_message_at", "first_response_at",
                                        "respond_by", "resolved_at"), ("created_at",)),
    "complaint_follow_ups": ("follow_up_id", ("due_at", "claimed_at", "fired_at", "next_attempt_at", "failed_at"),
                             ("due_at",)),
    "complaint_handoffs": ("handoff_id", ("created_at", "handed_back_at"), ("created_at",)),
    "agent_sessions": ("conversation_id", ("updated_at", "closed_at"), ("updated_at",)),
    "complaint_evidence": ("evidence_id", ("created_at",), ("created_at",)),
    "worker_heartbeats": ("worker_id", ("beat_at",), ("beat_at",)),
}


def _zone_literal() -> str:
    return "'" + clock.shop_time_zone().key.replace("'", "''") + "'"


def _postgresql(to_utc: bool) -> None:
    zone = _zone_literal()
    for table, (_key, columns, required) in TIME_COLUMNS.items():
        for column in columns:
            # naive AT TIME ZONE z: that wall-clock time in z, as an instant; instant AT TIME ZONE z: the reverse
            op.alter_column(table, column, type_=sa.DateTime(timezone=to_utc), existing_nullable=column not in required,
                            postgresql_using=f"{column} AT TIME ZONE {zone}")


def _naive_utc(shop_time: dt.datetime) -> dt.datetime:
    return clock.to_utc(shop_time).replace(tzinfo=None)


def _rewrite_sqlite(convert: Callable[[dt.datetime], dt.datetime]) -> None:
    """SQLite keeps the same column type; only the values move (UTC is stored without an offset)."""
    connection = op.get_bind()
    for name, (key, columns, _required) in TIME_COLUMNS.items():
        table = sa.table(name, sa.column(key), *(sa.column(c, sa.DateTime) for c in columns))
        rows = connection.execute(sa.select(table)).all()
        for row in rows:
            values = {c: convert(getattr(row, c)) for c in columns if getattr(row, c) is not None}
            if values:
                connection.execute(sa.update(table).where(table.c[key] == getattr(row, key)).values(**values))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql(to_utc=True)
    else:
        _rewrite_sqlite(_naive_utc)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql(to_utc=False)
    else:
        _rewrite_sqlite(clock.from_utc)
