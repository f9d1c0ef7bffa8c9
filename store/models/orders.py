"""Customer, order, line item, fulfillment and return tables."""

from __future__ import annotations

from sqlalchemy import (
    JSON, BigInteger, Boolean, Column, Date, ForeignKey, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import relationship

from store.models.base import Base, Money, UTCDateTime


class Customer(Base):
    """A shopper, with marketing consent kept per channel."""

    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    first_name = Column(String(120), nullable=False, default="")
    last_name = Column(String(120), nullable=False, default="")
    email = Column(String(255), nullable=True, unique=True)  # normalised (lower case)
    phone = Column(String(40), nullable=True)
    phone_key = Column(String(20), nullable=True, index=True)  # digits only, no leading zeros
    accepts_email_marketing = Column(Boolean, nullable=False, default=False)
    accepts_sms_marketing = Column(Boolean, nullable=False, default=False)
    accepts_whatsapp_marketing = Column(Boolean, nullable=False, default=False)
    created_at = Column(UTCDateTime, nullable=True)
    tags = Column(JSON, nullable=False, default=list)
    # the customer's id in a connected Shopify store and Shopify's time of its latest change
    shopify_id = Column(BigInteger, nullable=True, unique=True)
    updated_at = Column(UTCDateTime, nullable=True)

    orders = relationship("Order", back_populates="customer")


class Order(Base):
    """An order as exported by Shopify, plus a lock counter for safe concurrent changes."""

    __tablename__ = "orders"

    id = Column(Integer, primary_key=True)
    number = Column(Integer, nullable=False, unique=True)
    name = Column(String(40), nullable=False)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=True, index=True)
    email = Column(String(255), nullable=True, index=True)
    phone = Column(String(40), nullable=True)
    phone_key = Column(String(20), nullable=True, index=True)
    placed_at = Column(UTCDateTime, nullable=False, index=True)
    financial_status = Column(String(30), nullable=False, default="paid")
    fulfillment_status = Column(String(30), nullable=False, default="unfulfilled")
    currency = Column(String(3), nullable=False, default="USD")
    subtotal = Column(Money, nullable=False, default=0)
    shipping = Column(Money, nullable=False, default=0)
    taxes = Column(Money, nullable=False, default=0)
    total = Column(Money, nullable=False, default=0)
    discount_code = Column(String(60), nullable=True)
    discount_amount = Column(Money, nullable=False, default=0)
    shipping_method = Column(String(120), nullable=True)
    shipping_address = Column(JSON, nullable=False, default=dict)
    shipping_country = Column(String(2), nullable=True)
    cancelled_at = Column(UTCDateTime, nullable=True)
    cancel_reason = Column(String(60), nullable=True)
    refunded_amount = Column(Money, nullable=False, default=0)
    tags = Column(JSON, nullable=False, default=list)
    note = Column(Text, nullable=True)
    # bumped by every change so that concurrent writers take the row lock first
    lock_version = Column(Integer, nullable=False, default=0)
    updated_at = Column(UTCDateTime, nullable=True)
    # the order's id in a connected Shopify store (None: imported from a CSV export only)
    shopify_id = Column(BigInteger, nullable=True, unique=True)

    customer = relationship("Customer", back_populates="orders")
    line_items = relationship(
        "LineItem", back_populates="order", cascade="all, delete-orphan", order_by="LineItem.position"
    )
    fulfillments = relationship(
        "Fulfillment", back_populates="order", cascade="all, delete-orphan",
        order_by="Fulfillment.shipped_at",
    )
    returns = relationship("Return", back_populates="order", cascade="all, delete-orphan")


class LineItem(Base):
    """One product line of an order (a row of Shopify's orders export)."""

    __tablename__ = "line_items"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    sku = Column(String(100), nullable=True, index=True)
    variant_id = Column(Integer, ForeignKey("variants.id", ondelete="SET NULL"), nullable=True)
    title = Column(String(300), nullable=False)
    size = Column(String(40), nullable=True)
    color = Column(String(60), nullable=True)
    quantity = Column(Integer, nullable=False)
    price = Column(Money, nullable=False)
    fulfillment_status = Column(String(30), nullable=True)
    shopify_id = Column(BigInteger, nullable=True, unique=True)

    order = relationship("Order", back_populates="line_items")
    variant = relationship("Variant")


class Fulfillment(Base):
    """A shipment: carrier and tracking, with shipped, estimated and delivered dates."""

    __tablename__ = "fulfillments"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    carrier = Column(String(80), nullable=True)
    tracking_number = Column(String(120), nullable=True)
    tracking_url = Column(String(500), nullable=True)
    # in_transit | out_for_delivery | delayed | delivered | failure
    shipment_status = Column(String(30), nullable=False, default="in_transit")
    shipped_at = Column(UTCDateTime, nullable=False)
    estimated_delivery = Column(Date, nullable=True)
    delivered_at = Column(UTCDateTime, nullable=True)
    shopify_id = Column(BigInteger, nullable=True, unique=True)
    updated_at = Column(UTCDateTime, nullable=True)

    order = relationship("Order", back_populates="fulfillments")
    lines = relationship("FulfillmentLine", back_populates="fulfillment", cascade="all, delete-orphan")


class FulfillmentLine(Base):
    """How many units of a line item a fulfillment shipped."""

    __tablename__ = "fulfillment_lines"

    id = Column(Integer, primary_key=True)
    fulfillment_id = Column(
        Integer, ForeignKey("fulfillments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    line_item_id = Column(Integer, ForeignKey("line_items.id", ondelete="CASCADE"), nullable=False, index=True)
    quantity = Column(Integer, nullable=False)

    fulfillment = relationship("Fulfillment", back_populates="lines")
    line_item = relationship("LineItem")


class Return(Base):
    """A return authorisation (RMA) for some units of an order."""

    __tablename__ = "returns"
    __table_args__ = (UniqueConstraint("order_id", "request_key", name="uq_returns_request"),)

    id = Column(Integer, primary_key=True)
    rma = Column(String(40), nullable=False, unique=True)
    order_id = Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    # requested | approved | in_transit | received | refunded | exchanged | rejected | cancelled
    status = Column(String(20), nullable=False, default="requested")
    reason = Column(String(60), nullable=False)
    resolution = Column(String(20), nullable=False)  # refund | exchange | store_credit
    exchange_sku = Column(String(100), nullable=True)
    # the sorted line item ids asked for: the same request twice finds the same RMA
    request_key = Column(String(200), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=True)
    # the refund's steps as the warehouse and the payment provider report them (None: not yet)
    received_at = Column(UTCDateTime, nullable=True)
    inspected_at = Column(UTCDateTime, nullable=True)
    refunded_at = Column(UTCDateTime, nullable=True)
    refund_amount = Column(Money, nullable=True)
    refund_method = Column(String(40), nullable=True)  # original_payment | store_credit
    # the Return's global id in a connected Shopify store (gid://shopify/Return/...)
    shopify_id = Column(String(80), nullable=True, unique=True)

    order = relationship("Order", back_populates="returns")
    items = relationship("ReturnItem", back_populates="return_", cascade="all, delete-orphan")


class ReturnItem(Base):
    """Units of one line item in a return."""

    __tablename__ = "return_items"

    id = Column(Integer, primary_key=True)
    return_id = Column(Integer, ForeignKey("returns.id", ondelete="CASCADE"), nullable=False, index=True)
    line_item_id = Column(Integer, ForeignKey("line_items.id", ondelete="CASCADE"), nullable=False, index=True)
    quantity = Column(Integer, nullable=False)

    return_ = relationship("Return", back_populates="items")
    line_item = relationship("LineItem")
