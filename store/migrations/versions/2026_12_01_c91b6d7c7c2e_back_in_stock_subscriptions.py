"""Back-in-stock subscriptions (store/back_in_stock.py).

Created 2026-12-01 20:56:39.785952.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c91b6d7c7c2e"
down_revision = "b29f52f09280"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "back_in_stock_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=60), nullable=False),
        sa.Column("contact", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("consented_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("back_in_stock_subscriptions_pkey")),
    )
    with op.batch_alter_table("back_in_stock_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_back_in_stock_subscriptions_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_back_in_stock_subscriptions_sku"), ["sku"], unique=False)
        batch_op.create_index(batch_op.f("ix_back_in_stock_subscriptions_status"), ["status"], unique=False)
