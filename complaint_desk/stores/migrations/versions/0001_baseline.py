"""Baseline: the complaint tables as the release before migrations created them (create_all).

A database made by that release (or an older one, which lacked some nullable columns) already has these
tables: each missing table is created and each missing nullable column added, so every database leaves
this revision with the same schema. The definitions are frozen here; later changes are later revisions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from complaint_desk.stores.migrations import current_schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

def tables() -> dict[str, tuple[list[sa.Column], list[str]]]:
    """Fresh Column objects on every call (a Column belongs to one Table)."""
    return {
        "demo_orders": ([
            sa.Column("order_id", sa.String(12), primary_key=True),
            sa.Column("product", sa.String(100), nullable=False),
            sa.Column("goods_type", sa.String(30), nullable=False),
            sa.Column("price", sa.Float, nullable=False),
            sa.Column("payment_method", sa.String(20), nullable=False),
            sa.Column("purchased_at", sa.Date, nullable=False),
            sa.Column("promised_delivery_at", sa.Date, nullable=False),
            sa.Column("delivered_at", sa.Date, nullable=True),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("carrier", sa.String(30), nullable=False),
            sa.Column("no_reason_return_eligible", sa.Boolean, nullable=False),
        ], []),
        "complaint_tickets": ([
            sa.Column("ticket_id", sa.String(20), primary_key=True),
            sa.Column("conversation_id", sa.String(255), nullable=False),
            sa.Column("order_id", sa.String(12), nullable=True),
            sa.Column("category", sa.String(30), nullable=False),
            sa.Column("level", sa.String(10), nullable=False),
            sa.Column("remedy_id", sa.String(50), nullable=False),
            sa.Column("remedy_title", sa.String(100), nullable=False),
            sa.Column("remedy_amount", sa.Float, nullable=True),
            sa.Column("emotion_trend", sa.String(255), nullable=False),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("satisfaction", sa.String(20), nullable=True),
            sa.Column("created_at", sa.DateTime, nullable=False),
            sa.Column("resolve_by", sa.DateTime, nullable=True),
            sa.Column("customer_text", sa.Text, nullable=True),
            sa.Column("first_message_at", sa.DateTime, nullable=True),
            sa.Column("first_response_at", sa.DateTime, nullable=True),
            sa.Column("respond_by", sa.DateTime, nullable=True),
            sa.Column("declined_remedies", sa.String(255), nullable=True),
            sa.Column("resolved_at", sa.DateTime, nullable=True),
        ], ["conversation_id", "order_id"]),
        "complaint_follow_ups": ([
            sa.Column("follow_up_id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("ticket_id", sa.String(20), nullable=False),
            sa.Column("conversation_id", sa.String(255), nullable=False),
            sa.Column("due_at", sa.DateTime, nullable=False),
            sa.Column("claimed_at", sa.DateTime, nullable=True),
            sa.Column("fired_at", sa.DateTime, nullable=True),
            sa.Column("attempts", sa.Integer, nullable=False),
        ], ["ticket_id", "due_at"]),
        "complaint_handoffs": ([
            sa.Column("handoff_id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("conversation_id", sa.String(255), nullable=False),
            sa.Column("reason", sa.String(40), nullable=False),
            sa.Column("summary", sa.Text, nullable=False),
            sa.Column("created_at", sa.DateTime, nullable=False),
            sa.Column("handed_back_at", sa.DateTime, nullable=True),
            sa.Column("category", sa.String(30), nullable=True),
            sa.Column("level", sa.String(10), nullable=True),
        ], ["conversation_id"]),
        "agent_sessions": ([
            sa.Column("conversation_id", sa.String(255), primary_key=True),
            sa.Column("mode", sa.String(20), nullable=False),
            sa.Column("updated_at", sa.DateTime, nullable=False),
            sa.Column("closed_at", sa.DateTime, nullable=True),
            sa.Column("summary", sa.Text, nullable=True),
        ], []),
        "complaint_evidence": ([
            sa.Column("evidence_id", sa.String(32), primary_key=True),
            sa.Column("conversation_id", sa.String(255), nullable=False),
            sa.Column("ticket_id", sa.String(20), nullable=True),
            sa.Column("content_type", sa.String(40), nullable=False),
            sa.Column("size_bytes", sa.Integer, nullable=False),
            sa.Column("sha256", sa.String(64), nullable=False),
            sa.Column("stored_path", sa.String(500), nullable=False),
            sa.Column("original_name", sa.String(255), nullable=True),
            sa.Column("created_at", sa.DateTime, nullable=False),
        ], ["conversation_id", "ticket_id"]),
    }


def upgrade() -> None:
    bind = op.get_bind()
    schema = current_schema(bind)
    inspector = sa.inspect(bind)
    existing = set(inspector.get_table_names(schema=schema))
    for table, (columns, indexed) in tables().items():
        if table not in existing:
            op.create_table(table, *columns)
            for column in indexed:
                op.create_index(f"ix_{table}_{column}", table, [column])
            continue
        present = {column["name"] for column in inspector.get_columns(table, schema=schema)}
        for column in columns:
            if column.name not in present and column.nullable:
                op.add_column(table, column)


def downgrade() -> None:
    for table in reversed(list(tables())):
        op.drop_table(table)
