"""Baseline: every store table as the ``create_all`` code made it (its ``schema_version`` 2).

A database from that code is stamped at this revision by ``python -m store migrate`` instead of
running it (see :mod:`store.schema`). Created 2026-12-01.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c19bd19064ce"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("agents_pkey")),
        sa.UniqueConstraint("name", name=op.f("agents_name_key")),
    )
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("categories_pkey")),
        sa.UniqueConstraint("name", name=op.f("categories_name_key")),
        sa.UniqueConstraint("slug", name=op.f("categories_slug_key")),
    )
    op.create_table(
        "countries",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("countries_pkey")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=120), nullable=False),
        sa.Column("last_name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("phone_key", sa.String(length=20), nullable=True),
        sa.Column("accepts_email_marketing", sa.Boolean(), nullable=False),
        sa.Column("accepts_sms_marketing", sa.Boolean(), nullable=False),
        sa.Column("accepts_whatsapp_marketing", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("customers_pkey")),
        sa.UniqueConstraint("email", name=op.f("customers_email_key")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_phone_key"), ["phone_key"], unique=False)

    op.create_table(
        "discount_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("min_spend", sa.BigInteger(), nullable=True),
        sa.Column("starts_at", sa.DateTime(), nullable=True),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("usage_limit", sa.Integer(), nullable=True),
        sa.Column("times_used", sa.Integer(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("excluded_categories", sa.JSON(), nullable=False),
        sa.Column("excludes_final_sale", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("discount_codes_pkey")),
        sa.UniqueConstraint("code", name=op.f("discount_codes_code_key")),
    )
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=80), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("resolved_by", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("handoffs_pkey")),
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoffs_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_handoffs_status"), ["status"], unique=False)

    op.create_table(
        "holidays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("holidays_pkey")),
    )
    op.create_table(
        "return_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("final_sale_categories", sa.JSON(), nullable=False),
        sa.Column("final_sale_tags", sa.JSON(), nullable=False),
        sa.Column("exchanges_allowed", sa.Boolean(), nullable=False),
        sa.Column("exchange_rules", sa.JSON(), nullable=False),
        sa.Column("refund_method", sa.String(length=40), nullable=False),
        sa.Column("refund_days", sa.Integer(), nullable=True),
        sa.Column("return_shipping_cost", sa.BigInteger(), nullable=False),
        sa.Column("free_return_for_exchanges", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("return_policy_pkey")),
    )
    op.create_table(
        "shipping_zones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("postal_prefixes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("shipping_zones_pkey")),
        sa.UniqueConstraint("name", name=op.f("shipping_zones_name_key")),
    )
    op.create_table(
        "size_charts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("vendors", sa.JSON(), nullable=False),
        sa.Column("products", sa.JSON(), nullable=False),
        sa.Column("fit", sa.String(length=20), nullable=False),
        sa.Column("fit_note", sa.String(length=300), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("size_charts_pkey")),
        sa.UniqueConstraint("slug", name=op.f("size_charts_slug_key")),
    )
    op.create_table(
        "store_settings",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("store_settings_pkey")),
    )
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["handoff_id"], ["handoffs.id"], name=op.f("handoff_messages_handoff_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("handoff_messages_pkey")),
    )
    with op.batch_alter_table("handoff_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoff_messages_handoff_id"), ["handoff_id"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("phone_key", sa.String(length=20), nullable=True),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("financial_status", sa.String(length=30), nullable=False),
        sa.Column("fulfillment_status", sa.String(length=30), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subtotal", sa.BigInteger(), nullable=False),
        sa.Column("shipping", sa.BigInteger(), nullable=False),
        sa.Column("taxes", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("discount_code", sa.String(length=60), nullable=True),
        sa.Column("discount_amount", sa.BigInteger(), nullable=False),
        sa.Column("shipping_method", sa.String(length=120), nullable=True),
        sa.Column("shipping_address", sa.JSON(), nullable=False),
        sa.Column("shipping_country", sa.String(length=2), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=60), nullable=True),
        sa.Column("refunded_amount", sa.BigInteger(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("orders_customer_id_fkey")),
        sa.PrimaryKeyConstraint("id", name=op.f("orders_pkey")),
        sa.UniqueConstraint("number", name=op.f("orders_number_key")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_phone_key"), ["phone_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_placed_at"), ["placed_at"], unique=False)

    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handle", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("vendor", sa.String(length=120), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("fit", sa.String(length=20), nullable=True),
        sa.Column("final_sale", sa.Boolean(), nullable=False),
        sa.Column("image_url", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"], name=op.f("products_category_id_fkey")),
        sa.PrimaryKeyConstraint("id", name=op.f("products_pkey")),
        sa.UniqueConstraint("handle", name=op.f("products_handle_key")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_products_category_id"), ["category_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_products_title"), ["title"], unique=False)

    op.create_table(
        "shipping_methods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("carrier", sa.String(length=80), nullable=True),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("free_over", sa.BigInteger(), nullable=True),
        sa.Column("transit_min_days", sa.Integer(), nullable=False),
        sa.Column("transit_max_days", sa.Integer(), nullable=False),
        sa.Column("cutoff", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["zone_id"], ["shipping_zones.id"], name=op.f("shipping_methods_zone_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("shipping_methods_pkey")),
    )
    op.create_table(
        "size_chart_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chart_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("size", sa.String(length=40), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("measurements", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chart_id"], ["size_charts.id"], name=op.f("size_chart_rows_chart_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("size_chart_rows_pkey")),
    )
    with op.batch_alter_table("size_chart_rows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_size_chart_rows_chart_id"), ["chart_id"], unique=False)

    op.create_table(
        "fulfillments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=80), nullable=True),
        sa.Column("tracking_number", sa.String(length=120), nullable=True),
        sa.Column("tracking_url", sa.String(length=500), nullable=True),
        sa.Column("shipment_status", sa.String(length=30), nullable=False),
        sa.Column("shipped_at", sa.DateTime(), nullable=False),
        sa.Column("estimated_delivery", sa.Date(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fulfillments_order_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("fulfillments_pkey")),
    )
    with op.batch_alter_table("fulfillments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fulfillments_order_id"), ["order_id"], unique=False)

    op.create_table(
        "returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rma", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("resolution", sa.String(length=20), nullable=False),
        sa.Column("exchange_sku", sa.String(length=100), nullable=True),
        sa.Column("request_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("returns_order_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("returns_pkey")),
        sa.UniqueConstraint("order_id", "request_key", name="uq_returns_request"),
        sa.UniqueConstraint("rma", name=op.f("returns_rma_key")),
    )
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_returns_order_id"), ["order_id"], unique=False)

    op.create_table(
        "variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("size", sa.String(length=40), nullable=True),
        sa.Column("color", sa.String(length=60), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("compare_at_price", sa.BigInteger(), nullable=True),
        sa.Column("inventory_quantity", sa.Integer(), nullable=False),
        sa.Column("barcode", sa.String(length=60), nullable=True),
        sa.Column("grams", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("variants_product_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("variants_pkey")),
        sa.UniqueConstraint("sku", name=op.f("variants_sku_key")),
    )
    with op.batch_alter_table("variants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_variants_color"), ["color"], unique=False)
        batch_op.create_index(batch_op.f("ix_variants_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_variants_size"), ["size"], unique=False)

    op.create_table(
        "line_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=True),
        sa.Column("variant_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("size", sa.String(length=40), nullable=True),
        sa.Column("color", sa.String(length=60), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("fulfillment_status", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("line_items_order_id_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"], ["variants.id"], name=op.f("line_items_variant_id_fkey"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("line_items_pkey")),
    )
    with op.batch_alter_table("line_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_line_items_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_line_items_sku"), ["sku"], unique=False)

    op.create_table(
        "fulfillment_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fulfillment_id", sa.Integer(), nullable=False),
        sa.Column("line_item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fulfillment_id"],
            ["fulfillments.id"],
            name=op.f("fulfillment_lines_fulfillment_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["line_item_id"],
            ["line_items.id"],
            name=op.f("fulfillment_lines_line_item_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("fulfillment_lines_pkey")),
    )
    with op.batch_alter_table("fulfillment_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fulfillment_lines_fulfillment_id"), ["fulfillment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fulfillment_lines_line_item_id"), ["line_item_id"], unique=False)

    op.create_table(
        "return_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("line_item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_item_id"],
            ["line_items.id"],
            name=op.f("return_items_line_item_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("return_items_return_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("return_items_pkey")),
    )
    with op.batch_alter_table("return_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_return_items_line_item_id"), ["line_item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_return_items_return_id"), ["return_id"], unique=False)
