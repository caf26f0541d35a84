"""Agent accounts, their login sessions and the record of what each agent did.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agent_accounts",
        sa.Column("account_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("team", sa.String(30), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("password_changed_at", TIME, nullable=False),
        sa.Column("disabled_at", TIME, nullable=True),
    )
    op.create_table(
        "agent_login_sessions",
        sa.Column("token_digest", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("expires_at", TIME, nullable=False),
        sa.Column("ended_at", TIME, nullable=True),
        sa.Column("last_seen_at", TIME, nullable=True),
    )
    op.create_index("ix_agent_login_sessions_account_id", "agent_login_sessions", ["account_id"])
    op.create_table(
        "agent_actions",
        sa.Column("action_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.Integer, nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("at", TIME, nullable=False),
    )
    op.create_index("ix_agent_actions_conversation", "agent_actions", ["conversation_id", "at"])
    op.create_index("ix_agent_actions_at", "agent_actions", ["at"])


def downgrade() -> None:
    op.drop_table("agent_actions")
    op.drop_table("agent_login_sessions")
    op.drop_table("agent_accounts")
