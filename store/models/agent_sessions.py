"""Agent console sign-ins: server-side sessions and failed sign-in attempts.

Both tables stand alone (agent names, no foreign keys) so that a session can outlive nothing it
points to: a session of a deleted, disabled or renamed account is simply refused, and a session
opened with the shared console token before any account existed has no account at all.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String

from store.models.base import Base, UTCDateTime


class AgentSession(Base):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is stored here.

    A session is valid until ``revoked_at`` is set (logout, disabling the account, a password
    reset), ``expires_at`` passes (absolute lifetime), or it sits unused for longer than the idle
    timeout after ``last_seen_at``.
    """

    __tablename__ = "agent_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    agent = Column(String(60), nullable=False, index=True)
    # signed in with the shared console token while no account existed (void once one exists)
    bootstrap = Column(Boolean, nullable=False, default=False)
    created_at = Column(UTCDateTime, nullable=False)
    last_seen_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    revoked_at = Column(UTCDateTime, nullable=True)


class AgentLoginFailure(Base):
    """A failed sign-in, counted per agent name and per client address to throttle guessing."""

    __tablename__ = "agent_login_failures"

    id = Column(Integer, primary_key=True)
    agent_key = Column(String(60), nullable=False, index=True)  # the name tried, case-folded
    client = Column(String(64), nullable=False, index=True)  # the client's address
    at = Column(UTCDateTime, nullable=False, index=True)
