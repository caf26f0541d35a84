"""Follow-up retries (next attempt, given up, last error) and the console's conversation index.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("complaint_follow_ups", sa.Column("next_attempt_at", sa.DateTime, nullable=True))
    op.add_column("complaint_follow_ups", sa.Column("failed_at", sa.DateTime, nullable=True))
    op.add_column("complaint_follow_ups", sa.Column("last_error", sa.String(500), nullable=True))
    op.create_table(
        "conversation_index",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("risk_rank", sa.Integer, nullable=False),
        sa.Column("risk_score", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("turns", sa.Integer, nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("row", sa.Text, nullable=False),
    )
    op.create_index("ix_conversation_index_order", "conversation_index", ["risk_rank", "risk_score", "updated_at"])


def downgrade() -> None:
    op.drop_table("conversation_index")
    with op.batch_alter_table("complaint_follow_ups") as batch:
        batch.drop_column("last_error")
        batch.drop_column("failed_at")
        batch.drop_column("next_attempt_at")
