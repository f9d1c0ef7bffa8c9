"""Shopper carts: the website widget's cart per conversation, for cart recovery (store/carts.py);
outbox messages indexed by conversation, so a reply finds the proactive message it answers.

Created 2026-12-02 03:55:00.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "3c4a7d1e9b20"
down_revision = "7c06745ef05b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shopper_carts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("checked_out_at", sa.DateTime(), nullable=True),
        sa.Column("nudged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("shopper_carts_customer_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("shopper_carts_pkey")),
    )
    with op.batch_alter_table("shopper_carts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shopper_carts_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_shopper_carts_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shopper_carts_updated_at"), ["updated_at"], unique=False)
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_conversation_id"), ["conversation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_conversation_id"))
    with op.batch_alter_table("shopper_carts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shopper_carts_updated_at"))
        batch_op.drop_index(batch_op.f("ix_shopper_carts_customer_id"))
        batch_op.drop_index(batch_op.f("ix_shopper_carts_conversation_id"))
    op.drop_table("shopper_carts")
