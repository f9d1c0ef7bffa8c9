"""Shopify ids and change times on the store's rows, and the webhook deliveries applied.

A row imported from CSV keeps ``shopify_id`` empty until a sync or a webhook names it.

Created 2026-12-01 19:48:32.671565.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b29f52f09280"
down_revision = "7bd9b7608a16"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shopify_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("shopify_deliveries_pkey")),
        sa.UniqueConstraint("webhook_id", name=op.f("shopify_deliveries_webhook_id_key")),
    )
    with op.batch_alter_table("shopify_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shopify_deliveries_received_at"), ["received_at"], unique=False)

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shopify_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("customers_shopify_id_key"), ["shopify_id"])

    with op.batch_alter_table("fulfillments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shopify_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("fulfillments_shopify_id_key"), ["shopify_id"])

    with op.batch_alter_table("line_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shopify_id", sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("line_items_shopify_id_key"), ["shopify_id"])

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shopify_id", sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("orders_shopify_id_key"), ["shopify_id"])

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shopify_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("products_shopify_id_key"), ["shopify_id"])

    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shopify_id", sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("returns_shopify_id_key"), ["shopify_id"])

    with op.batch_alter_table("variants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shopify_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("inventory_item_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("inventory_levels", sa.JSON(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("variants_inventory_item_id_key"), ["inventory_item_id"])
        batch_op.create_unique_constraint(batch_op.f("variants_shopify_id_key"), ["shopify_id"])
