"""Proactive messaging: the consent ledger, the outbox and the contacts' last inbound message."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint

from store.models.base import Base, UTCDateTime


class ConsentRecord(Base):
    """One grant of consent to be messaged on a channel for a purpose, and its withdrawal.

    The ledger only grows: a grant is a new row, a withdrawal closes the open row
    (``withdrawn_at``); the current state of an address is its newest row.
    """

    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_address", "channel", "address", "purpose"),)

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="SET NULL"), nullable=True, index=True)
    channel = Column(String(20), nullable=False)  # widget, email, sms, whatsapp
    address = Column(String(255), nullable=False)  # E.164 phone, lower-case email or conversation id
    purpose = Column(String(20), nullable=False)  # service, marketing
    source = Column(String(40), nullable=False)  # shopify_import, chat, keyword, ...
    wording = Column(Text, nullable=False, default="")  # the words the shopper was shown
    granted_at = Column(UTCDateTime, nullable=False)
    withdrawn_at = Column(UTCDateTime, nullable=True)
    withdrawal_source = Column(String(40), nullable=True)


class ChannelContact(Base):
    """When an address last wrote to us on a channel (WhatsApp's 24-hour window) and from where."""

    __tablename__ = "channel_contacts"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    address = Column(String(255), nullable=False)
    conversation_id = Column(String(255), nullable=False)
    last_inbound_at = Column(UTCDateTime, nullable=False)


class OutboxMessage(Base):
    """One proactive message: written with its trigger, sent (at most once) by the worker.

    ``status``: queued -> claimed (a worker holds it until ``lease_until``) -> sending (the
    provider is being called) -> sent -> delivered/read; or held (quiet hours, cap: due again
    at ``due_at``), skipped (no consent, channel rule) or failed. ``reason`` says why.
    """

    __tablename__ = "outbox_messages"

    id = Column(Integer, primary_key=True)
    idempotency_key = Column(String(255), nullable=False, unique=True)
    trigger = Column(String(40), nullable=False, index=True)
    purpose = Column(String(20), nullable=False)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="SET NULL"), nullable=True)
    channel = Column(String(20), nullable=False)
    recipient = Column(String(255), nullable=False, index=True)
    conversation_id = Column(String(255), nullable=True, index=True)  # replies find their message
    response = Column(String(80), nullable=False)  # the domain response that says it
    params = Column(JSON, nullable=False, default=dict)  # its {placeholders} and the trigger's context
    status = Column(String(20), nullable=False, default="queued", index=True)
    reason = Column(String(255), nullable=True)
    due_at = Column(UTCDateTime, nullable=False, index=True)
    created_at = Column(UTCDateTime, nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    claimed_by = Column(String(120), nullable=True)
    lease_until = Column(UTCDateTime, nullable=True)
    sent_at = Column(UTCDateTime, nullable=True)
    provider_message_id = Column(String(120), nullable=True, index=True)
    delivery_status = Column(String(20), nullable=True)
    delivery_updated_at = Column(UTCDateTime, nullable=True)
