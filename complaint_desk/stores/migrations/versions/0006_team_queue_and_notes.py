"""The queue by team: each hand-off's team, owner and response deadline; the same in the conversation index
for the console's filters; private notes.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("complaint_handoffs") as batch:
        batch.add_column(sa.Column("team", sa.String(30), nullable=True))
        batch.add_column(sa.Column("owner_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("assigned_at", TIME, nullable=True))
        batch.add_column(sa.Column("respond_by", TIME, nullable=True))
        batch.add_column(sa.Column("answered_at", TIME, nullable=True))
    op.create_index("ix_complaint_handoffs_owner_id", "complaint_handoffs", ["owner_id"])
    with op.batch_alter_table("conversation_index") as batch:
        batch.add_column(sa.Column("team", sa.String(30), nullable=True))
        batch.add_column(sa.Column("owner_id", sa.Integer, nullable=True))
    op.create_index("ix_conversation_index_team", "conversation_index", ["team"])
    op.create_index("ix_conversation_index_owner_id", "conversation_index", ["owner_id"])
    op.create_table(
        "conversation_notes",
        sa.Column("note_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("ticket_id", sa.String(20), nullable=True),
        sa.Column("account_id", sa.Integer, nullable=True),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", TIME, nullable=False),
    )
    op.create_index("ix_conversation_notes_conversation_id", "conversation_notes", ["conversation_id"])
    op.create_index("ix_conversation_notes_ticket_id", "conversation_notes", ["ticket_id"])


def downgrade() -> None:
    op.drop_table("conversation_notes")
    op.drop_index("ix_conversation_index_owner_id", "conversation_index")
    op.drop_index("ix_conversation_index_team", "conversation_index")
    with op.batch_alter_table("conversation_index") as batch:
        batch.drop_column("owner_id")
        batch.drop_column("team")
    op.drop_index("ix_complaint_handoffs_owner_id", "complaint_handoffs")
    with op.batch_alter_table("complaint_handoffs") as batch:
        for column in ("answered_at", "respond_by", "assigned_at", "owner_id", "team"):
            batch.drop_column(column)
