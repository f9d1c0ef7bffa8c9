"""The Chatwoot bridge: handoffs waiting to be forwarded (with retries), replies taken from it once.

Created 2026-12-01 23:04:27.476461.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "aad1387b0a21"
down_revision = "68d6c799044e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "helpdesk_forwards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("contact_id", sa.BigInteger(), nullable=True),
        sa.Column("source_id", sa.String(length=255), nullable=True),
        sa.Column("helpdesk_conversation_id", sa.BigInteger(), nullable=True),
        sa.Column("note_sent", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("helpdesk_forwards_handoff_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("helpdesk_forwards_pkey")),
        sa.UniqueConstraint("handoff_id", name=op.f("helpdesk_forwards_handoff_id_key")),
        sa.UniqueConstraint(
            "helpdesk_conversation_id", name=op.f("helpdesk_forwards_helpdesk_conversation_id_key")
        ),
    )
    with op.batch_alter_table("helpdesk_forwards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_helpdesk_forwards_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_helpdesk_forwards_status"), ["status"], unique=False)

    op.create_table(
        "helpdesk_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(length=120), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["handoff_id"], ["handoffs.id"], name=op.f("helpdesk_replies_handoff_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("helpdesk_replies_pkey")),
        sa.UniqueConstraint("event_key", name=op.f("helpdesk_replies_event_key_key")),
    )
    with op.batch_alter_table("helpdesk_replies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_helpdesk_replies_handoff_id"), ["handoff_id"], unique=False)


def downgrade() -> None:
    op.drop_table("helpdesk_replies")
    op.drop_table("helpdesk_forwards")
