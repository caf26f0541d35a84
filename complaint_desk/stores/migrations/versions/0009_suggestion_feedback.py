"""What agents did with each reply the console offered them: sent as is, edited, or ignored.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suggestion_feedback",
        sa.Column("feedback_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("source", sa.String(60), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("offered_text", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("account_id", sa.Integer, nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("conversation_id", "turn", "source", name="uq_suggestion_feedback_offer"),
    )
    op.create_index("ix_suggestion_feedback_at", "suggestion_feedback", ["at"])


def downgrade() -> None:
    op.drop_table("suggestion_feedback")
