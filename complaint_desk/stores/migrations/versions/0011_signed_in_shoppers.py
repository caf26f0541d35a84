"""Signed-in shoppers: their conversation, kept server-side so it follows them across devices, and who placed each
demo order (the widget shows a signed-in shopper's orders as cards).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shopper_conversations",
        sa.Column("shopper_id", sa.String(64), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, unique=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("demo_orders") as batch:
        batch.add_column(sa.Column("shopper_id", sa.String(64), nullable=True))
        batch.create_index("ix_demo_orders_shopper_id", ["shopper_id"])


def downgrade() -> None:
    with op.batch_alter_table("demo_orders") as batch:
        batch.drop_index("ix_demo_orders_shopper_id")
        batch.drop_column("shopper_id")
    op.drop_table("shopper_conversations")
