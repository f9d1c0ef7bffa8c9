"""Live-agent handoff tables."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from store.models.base import Base, UTCDateTime


class Handoff(Base):
    """A conversation handed to a person: queued, then claimed by an agent, then resolved."""

    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(60), nullable=False)
    status = Column(String(20), nullable=False, default="queued", index=True)
    offline = Column(Boolean, nullable=False, default=False)
    reason = Column(String(80), nullable=False)
    summary = Column(Text, nullable=False, default="")
    context = Column(JSON, nullable=False, default=dict)
    claimed_by = Column(String(120), nullable=True)
    resolved_by = Column(String(120), nullable=True)
    created_at = Column(UTCDateTime, nullable=False)
    claimed_at = Column(UTCDateTime, nullable=True)
    resolved_at = Column(UTCDateTime, nullable=True)
    # the claiming agent's latest action on it (claim, reply, note, transfer, order action):
    # a claim left idle longer than AGENT_CLAIM_IDLE_MINUTES goes back to the queue
    agent_active_at = Column(UTCDateTime, nullable=True)

    messages = relationship(
        "HandoffMessage",
        back_populates="handoff",
        cascade="all, delete-orphan",
        order_by="HandoffMessage.id",
    )


class HandoffMessage(Base):
    """A message during a handoff: ``sender`` is ``shopper``, ``agent:<name>`` or ``bot``."""

    __tablename__ = "handoff_messages"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    sender = Column(String(120), nullable=False)
    text = Column(Text, nullable=False)
    at = Column(UTCDateTime, nullable=False)

    handoff = relationship("Handoff", back_populates="messages")


class Agent(Base):
    """A person who may sign in to the agent console with their own password.

    While the table is empty the console's shared token signs people in (with any name); once an
    account exists, only accounts do, and disabling one signs that person out.
    """

    __tablename__ = "agents"

    id = Column(Integer, primary_key=True)
    name = Column(String(60), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False)
