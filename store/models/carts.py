"""Shopper carts the website widget reported, for cart recovery (store/carts.py)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Integer, String

from store.models.base import Base, UTCDateTime


class ShopperCart(Base):
    """One widget conversation's cart: its lines (SKU and quantity), who it belongs to when the
    page's signed customer token said so, when it last changed, and when it was checked out.

    A conversation has at most one open cart (``checked_out_at`` empty); a cart reported after a
    checkout is a new row. ``nudged_at`` is set when cart recovery queued its one reminder.
    """

    __tablename__ = "shopper_carts"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="SET NULL"), nullable=True, index=True)
    email = Column(String(255), nullable=True)  # the verified email of the page's customer token
    lines = Column(JSON, nullable=False, default=list)  # [{"sku": "...", "quantity": 1}]
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False, index=True)
    checked_out_at = Column(UTCDateTime, nullable=True)
    nudged_at = Column(UTCDateTime, nullable=True)
