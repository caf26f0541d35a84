"""Heartbeats of the background workers (the follow-up worker), for metrics and liveness.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_heartbeats",
        sa.Column("worker_id", sa.String(255), primary_key=True),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("beat_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("worker_heartbeats")
