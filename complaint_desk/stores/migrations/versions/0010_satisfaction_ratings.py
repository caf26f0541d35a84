"""Shoppers' 1–5 star ratings, after a ticket and after an agent closes the conversation.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "satisfaction_ratings",
        sa.Column("rating_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("subject", sa.String(80), nullable=False),
        sa.Column("ticket_id", sa.String(32), nullable=True),
        sa.Column("account_id", sa.Integer, nullable=True),
        sa.Column("stars", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("conversation_id", "subject", name="uq_satisfaction_ratings_subject"),
    )
    op.create_index("ix_satisfaction_ratings_at", "satisfaction_ratings", ["at"])


def downgrade() -> None:
    op.drop_table("satisfaction_ratings")
