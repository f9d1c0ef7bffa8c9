"""What the store keeps about its live Shopify connection: the webhook deliveries it applied."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, UniqueConstraint

from store.models.base import Base, UTCDateTime


class ShopifyDelivery(Base):
    """One webhook delivery, recorded in the transaction that applied it.

    The unique webhook id makes a second delivery of the same webhook (Shopify retries, or two
    processes receiving it at once) fail to insert, so its payload is never applied twice. The
    event id does the same for one event reaching us through two subscriptions to its topic
    (each its own webhook id): Shopify's duplicate guide keys on ``X-Shopify-Event-Id``.
    """

    __tablename__ = "shopify_deliveries"
    __table_args__ = (UniqueConstraint("topic", "event_id", name="uq_shopify_deliveries_event"),)

    id = Column(Integer, primary_key=True)
    webhook_id = Column(String(100), nullable=False, unique=True)
    topic = Column(String(60), nullable=False)
    event_id = Column(String(100), nullable=True)  # None: a delivery without X-Shopify-Event-Id
    received_at = Column(UTCDateTime, nullable=False, index=True)
    # applied | stale (older than what the store has) | ignored (nothing of ours)
    outcome = Column(String(20), nullable=False)
