"""What the store keeps about its live Shopify connection: the webhook deliveries it applied."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String

from store.models.base import Base, UTCDateTime


class ShopifyDelivery(Base):
    """One webhook delivery, recorded in the transaction that applied it.

    The unique webhook id makes a second delivery of the same event (Shopify retries, or two
    processes receiving it at once) fail to insert, so its payload is never applied twice.
    """

    __tablename__ = "shopify_deliveries"

    id = Column(Integer, primary_key=True)
    webhook_id = Column(String(100), nullable=False, unique=True)
    topic = Column(String(60), nullable=False)
    received_at = Column(UTCDateTime, nullable=False, index=True)
    # applied | stale (older than what the store has) | ignored (nothing of ours)
    outcome = Column(String(20), nullable=False)
