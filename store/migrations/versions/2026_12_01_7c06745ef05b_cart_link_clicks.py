"""Cart link clicks: every add-to-cart link a shopper followed, per conversation (store insights).

Created 2026-12-01 22:56:18.242804.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7c06745ef05b"
down_revision = "ad989dde11e4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cart_link_clicks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("handle", sa.String(length=255), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("cart_variant_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("clicked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("cart_link_clicks_pkey")),
    )
    with op.batch_alter_table("cart_link_clicks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cart_link_clicks_clicked_at"), ["clicked_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cart_link_clicks_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cart_link_clicks_handle"), ["handle"], unique=False)
