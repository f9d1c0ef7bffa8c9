"""Refund steps on returns and the bank time in the return policy (refund status answers).

Nullable columns only, so existing rows stay valid: ``returns`` gains when the parcel was
received and inspected, when the refund was issued, how much and to which method;
``return_policy`` gains ``refund_bank_days`` (business days a bank takes to show a refund).
Created 2026-12-01.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7bd9b7608a16"
down_revision = "a7794790ffe7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("return_policy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refund_bank_days", sa.Integer(), nullable=True))

    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("inspected_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("refunded_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("refund_amount", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("refund_method", sa.String(length=40), nullable=True))
