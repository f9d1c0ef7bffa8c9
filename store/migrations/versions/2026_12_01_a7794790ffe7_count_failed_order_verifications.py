"""Count failed order verifications per order number, contact and client (store/verification.py).

Created 2026-12-01 17:24:23.075392.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a7794790ffe7"
down_revision = "8001a1a39b66"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verification_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("verification_failures_pkey")),
    )
    with op.batch_alter_table("verification_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_verification_failures_at"), ["at"], unique=False)
        batch_op.create_index("ix_verification_failures_kind_key_at", ["kind", "key", "at"], unique=False)
