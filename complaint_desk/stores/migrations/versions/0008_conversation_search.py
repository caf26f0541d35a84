"""What agents search the conversations by: the customer's words, order and ticket numbers, normalized.

Existing rows get it when the conversation next changes, or all at once with tools/reindex_conversations.py.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversation_index") as batch:
        batch.add_column(sa.Column("search_text", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversation_index") as batch:
        batch.drop_column("search_text")
