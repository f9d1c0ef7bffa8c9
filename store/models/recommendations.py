"""Recommendations shown to shoppers: what the finder offered, per conversation, for store insights."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, String

from store.models.base import Base, Money, UTCDateTime


class RecommendationShown(Base):
    """One product the finder showed in a conversation, with the need it answered and the variant
    offered. Handles and SKUs, not foreign keys: the record outlives a catalog import."""

    __tablename__ = "recommendations_shown"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    need = Column(String(500), nullable=False)
    handle = Column(String(255), nullable=False, index=True)
    sku = Column(String(100), nullable=False)
    price = Column(Money, nullable=False)
    position = Column(Integer, nullable=False)
    shown_at = Column(UTCDateTime, nullable=False, index=True)


class CartLinkClick(Base):
    """An add-to-cart link a shopper followed (store/cart_links.py): which variant, how many, in
    which conversation and when. Handles and SKUs, not foreign keys, like the recommendations."""

    __tablename__ = "cart_link_clicks"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    handle = Column(String(255), nullable=False, index=True)
    sku = Column(String(100), nullable=False)
    cart_variant_id = Column(BigInteger, nullable=False)
    quantity = Column(Integer, nullable=False)
    clicked_at = Column(UTCDateTime, nullable=False, index=True)
