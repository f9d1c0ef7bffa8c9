"""Back-in-stock subscriptions: a shopper asked to hear when a sold-out variant returns."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String

from store.models.base import Base, UTCDateTime


class BackInStockSubscription(Base):
    """One shopper's consent to one message when ``sku`` is back: ``active``, then ``due`` (stock
    rose; the outbound sender picks it up) or ``cancelled`` by the shopper."""

    __tablename__ = "back_in_stock_subscriptions"

    id = Column(Integer, primary_key=True)
    sku = Column(String(100), nullable=False, index=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(60), nullable=False)
    contact = Column(String(255), nullable=False)
    status = Column(String(20), nullable=False, default="active", index=True)
    consented_at = Column(UTCDateTime, nullable=False)
    due_at = Column(UTCDateTime, nullable=True)
    cancelled_at = Column(UTCDateTime, nullable=True)
