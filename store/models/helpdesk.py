"""The helpdesk bridge's durable state: handoffs waiting to reach Chatwoot, and replies taken from it."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Integer, String, Text

from store.models.base import Base, UTCDateTime


class HelpdeskForward(Base):
    """One handoff to be forwarded to the helpdesk, written with the handoff itself.

    A worker in the Rasa server sends due rows; each attempt pushes ``next_attempt_at`` ahead
    first (a lease, so two workers never send the same row at once), then records how far it got:
    the contact and conversation ids, so a retry after a half-done attempt continues where it
    stopped instead of opening a second conversation.
    """

    __tablename__ = "helpdesk_forwards"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, unique=True)
    conversation_id = Column(String(255), nullable=False)
    # pending (to send, or retrying) | delivered | failed (gave up: the team is told)
    status = Column(String(20), nullable=False, default="pending", index=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, nullable=False, index=True)
    last_error = Column(Text, nullable=True)
    contact_id = Column(BigInteger, nullable=True)
    source_id = Column(String(255), nullable=True)
    helpdesk_conversation_id = Column(BigInteger, nullable=True, unique=True)
    note_sent = Column(Boolean, nullable=False, default=False)
    created_at = Column(UTCDateTime, nullable=False)
    delivered_at = Column(UTCDateTime, nullable=True)


class HelpdeskReply(Base):
    """An agent's reply (or a status change) taken from the helpdesk once: its webhook retries
    and a second receiving process find the unique key and do nothing."""

    __tablename__ = "helpdesk_replies"

    id = Column(Integer, primary_key=True)
    event_key = Column(String(120), nullable=False, unique=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    received_at = Column(UTCDateTime, nullable=False)
