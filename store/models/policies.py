"""Store policy tables, loaded from the YAML files under ``data/store/``."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from store.models.base import Base, Money, UTCDateTime


class StoreSetting(Base):
    """One key of ``store.yaml`` (name, time zone, business hours, contacts, payment help...)."""

    __tablename__ = "store_settings"

    key = Column(String(80), primary_key=True)
    value = Column(JSON, nullable=True)


class Holiday(Base):
    """One of the store's own closed days (``closures`` in store.yaml; public holidays come from the
    country): ``rule`` is ``MM-DD``, ``YYYY-MM-DD`` or ``4th thu of nov``."""

    __tablename__ = "holidays"

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    rule = Column(String(60), nullable=False)


class Country(Base):
    """A destination country with its aliases and regions (``{code: name}``)."""

    __tablename__ = "countries"

    code = Column(String(2), primary_key=True)
    name = Column(String(120), nullable=False)
    aliases = Column(JSON, nullable=False, default=list)
    regions = Column(JSON, nullable=False, default=dict)


class ShippingZone(Base):
    """Countries, regions or postal-code prefixes that share shipping methods."""

    __tablename__ = "shipping_zones"

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False, unique=True)
    position = Column(Integer, nullable=False, default=0)
    countries = Column(JSON, nullable=False, default=list)
    regions = Column(JSON, nullable=False, default=list)
    postal_prefixes = Column(JSON, nullable=False, default=list)

    methods = relationship(
        "ShippingMethod", back_populates="zone", cascade="all, delete-orphan",
        order_by="ShippingMethod.position",
    )


class ShippingMethod(Base):
    """A way to ship to a zone: price, free-shipping threshold, transit days and cut-off."""

    __tablename__ = "shipping_methods"

    id = Column(Integer, primary_key=True)
    zone_id = Column(Integer, ForeignKey("shipping_zones.id", ondelete="CASCADE"), nullable=False)
    position = Column(Integer, nullable=False, default=0)
    code = Column(String(40), nullable=False)
    name = Column(String(120), nullable=False)
    carrier = Column(String(80), nullable=True)
    price = Column(Money, nullable=False)
    free_over = Column(Money, nullable=True)
    transit_min_days = Column(Integer, nullable=False)
    transit_max_days = Column(Integer, nullable=False)
    cutoff = Column(String(5), nullable=False)  # "HH:MM" in the store's time zone

    zone = relationship("ShippingZone", back_populates="methods")


class ReturnPolicy(Base):
    """The store's return policy (a single row)."""

    __tablename__ = "return_policy"

    id = Column(Integer, primary_key=True)
    window_days = Column(Integer, nullable=False)
    final_sale_categories = Column(JSON, nullable=False, default=list)
    final_sale_tags = Column(JSON, nullable=False, default=list)
    exchanges_allowed = Column(Boolean, nullable=False, default=True)
    exchange_rules = Column(JSON, nullable=False, default=dict)
    refund_method = Column(String(40), nullable=False)
    refund_days = Column(Integer, nullable=True)
    # business days a bank or card issuer takes to show a refund once it is issued
    refund_bank_days = Column(Integer, nullable=True)
    return_shipping_cost = Column(Money, nullable=False, default=0)
    free_return_for_exchanges = Column(Boolean, nullable=False, default=True)
    reasons = Column(JSON, nullable=False, default=list)
    url = Column(String(500), nullable=True)


class DiscountCode(Base):
    """A discount code and the conditions under which it applies."""

    __tablename__ = "discount_codes"

    id = Column(Integer, primary_key=True)
    code = Column(String(60), nullable=False, unique=True)  # upper case
    kind = Column(String(20), nullable=False)  # percentage | fixed_amount | free_shipping
    value = Column(Money, nullable=False, default=0)  # percent or currency amount
    min_spend = Column(Money, nullable=True)
    starts_at = Column(UTCDateTime, nullable=True)
    ends_at = Column(UTCDateTime, nullable=True)
    usage_limit = Column(Integer, nullable=True)
    times_used = Column(Integer, nullable=False, default=0)
    categories = Column(JSON, nullable=False, default=list)  # empty: every category
    excluded_categories = Column(JSON, nullable=False, default=list)
    excludes_final_sale = Column(Boolean, nullable=False, default=True)
