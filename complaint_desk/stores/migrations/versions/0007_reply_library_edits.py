"""Supervisors' changes to the reply library (knowledge/reply_library.yml holds the shipped entries).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_library_edits",
        sa.Column("entry_id", sa.String(50), primary_key=True),
        sa.Column("title", sa.String(50), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reply_library_edits")
