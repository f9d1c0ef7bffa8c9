"""Agent console sessions and failed sign-ins (server-side sessions, sign-in throttling).

Two new tables, nothing else changes: ``agent_sessions`` (a hash of each browser's session token,
its agent, last use, expiry and revocation) and ``agent_login_failures`` (counted per agent name
and per client address). Created 2026-12-01.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "8001a1a39b66"
down_revision = "c19bd19064ce"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_key", sa.String(length=60), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("agent_login_failures_pkey")),
    )
    with op.batch_alter_table("agent_login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_login_failures_agent_key"), ["agent_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_agent_login_failures_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_agent_login_failures_client"), ["client"], unique=False)

    op.create_table(
        "agent_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("agent", sa.String(length=60), nullable=False),
        sa.Column("bootstrap", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("agent_sessions_pkey")),
        sa.UniqueConstraint("token_hash", name=op.f("agent_sessions_token_hash_key")),
    )
    with op.batch_alter_table("agent_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_sessions_agent"), ["agent"], unique=False)
