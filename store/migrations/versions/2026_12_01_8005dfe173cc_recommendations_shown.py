"""Recommendations shown: what the product finder offered in each conversation (store insights).

Created 2026-12-01 21:32:19.701785.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "8005dfe173cc"
down_revision = "c91b6d7c7c2e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recommendations_shown",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("need", sa.String(length=500), nullable=False),
        sa.Column("handle", sa.String(length=255), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("shown_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("recommendations_shown_pkey")),
    )
    with op.batch_alter_table("recommendations_shown", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendations_shown_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recommendations_shown_handle"), ["handle"], unique=False)
        batch_op.create_index(batch_op.f("ix_recommendations_shown_shown_at"), ["shown_at"], unique=False)
