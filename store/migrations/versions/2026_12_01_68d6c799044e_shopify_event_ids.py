"""Shopify webhook deliveries keep their event id: one event through two subscriptions applies once.

Created 2026-12-01 23:01:35.362796.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "68d6c799044e"
down_revision = "8005dfe173cc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shopify_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint("uq_shopify_deliveries_event", ["topic", "event_id"])


def downgrade() -> None:
    with op.batch_alter_table("shopify_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_shopify_deliveries_event", type_="unique")
        batch_op.drop_column("event_id")
