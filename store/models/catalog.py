"""Catalog tables: categories, products, variants and size charts."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from store.models.base import Base, Money, UTCDateTime


class Category(Base):
    """A product category (Shopify's product ``Type``)."""

    __tablename__ = "categories"

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False, unique=True)
    slug = Column(String(120), nullable=False, unique=True)

    products = relationship("Product", back_populates="category")


class Product(Base):
    """A product; sizes and colors live on its variants."""

    __tablename__ = "products"

    id = Column(Integer, primary_key=True)
    handle = Column(String(200), nullable=False, unique=True)
    title = Column(String(255), nullable=False, index=True)
    description = Column(Text, nullable=False, default="")
    vendor = Column(String(120), nullable=False, default="")
    category_id = Column(Integer, ForeignKey("categories.id"), nullable=True, index=True)
    tags = Column(JSON, nullable=False, default=list)
    status = Column(String(20), nullable=False, default="active")
    # "runs_small" | "true_to_size" | "runs_large" when the product differs from its size chart
    fit = Column(String(20), nullable=True)
    final_sale = Column(Boolean, nullable=False, default=False)
    image_url = Column(String(500), nullable=True)
    # the product's id in a connected Shopify store, and Shopify's time of its latest change (a
    # webhook or sync older than that changes nothing)
    shopify_id = Column(BigInteger, nullable=True, unique=True)
    updated_at = Column(UTCDateTime, nullable=True)

    category = relationship("Category", back_populates="products")
    variants = relationship(
        "Variant", back_populates="product", cascade="all, delete-orphan", order_by="Variant.position"
    )


class Variant(Base):
    """A sellable SKU: one size and color of a product, with its price and stock."""

    __tablename__ = "variants"

    id = Column(Integer, primary_key=True)
    product_id = Column(Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    sku = Column(String(100), nullable=False, unique=True)
    size = Column(String(40), nullable=True, index=True)
    color = Column(String(60), nullable=True, index=True)
    options = Column(JSON, nullable=False, default=dict)
    price = Column(Money, nullable=False)
    compare_at_price = Column(Money, nullable=True)
    inventory_quantity = Column(Integer, nullable=False, default=0)
    barcode = Column(String(60), nullable=True)
    grams = Column(Integer, nullable=True)
    # Shopify's variant id and its inventory item (inventory webhooks name only that); the stock
    # per Shopify location, {"<location id>": [available, "<updated_at>"]}, whose sum is
    # inventory_quantity, so a late delivery for one location never overwrites a newer figure
    shopify_id = Column(BigInteger, nullable=True, unique=True)
    inventory_item_id = Column(BigInteger, nullable=True, unique=True)
    inventory_levels = Column(JSON, nullable=True)

    product = relationship("Product", back_populates="variants")


class SizeChart(Base):
    """Body measurements per size for a category, a brand or one product."""

    __tablename__ = "size_charts"

    id = Column(Integer, primary_key=True)
    slug = Column(String(120), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    categories = Column(JSON, nullable=False, default=list)
    vendors = Column(JSON, nullable=False, default=list)
    products = Column(JSON, nullable=False, default=list)
    fit = Column(String(20), nullable=False, default="true_to_size")
    fit_note = Column(String(300), nullable=True)
    url = Column(String(500), nullable=True)

    rows = relationship(
        "SizeChartRow", back_populates="chart", cascade="all, delete-orphan",
        order_by="SizeChartRow.position",
    )


class SizeChartRow(Base):
    """One size in a chart: ``measurements`` maps e.g. ``chest_cm`` to ``[min, max]``."""

    __tablename__ = "size_chart_rows"

    id = Column(Integer, primary_key=True)
    chart_id = Column(Integer, ForeignKey("size_charts.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    size = Column(String(40), nullable=False)
    aliases = Column(JSON, nullable=False, default=list)
    measurements = Column(JSON, nullable=False, default=dict)

    chart = relationship("SizeChart", back_populates="rows")
