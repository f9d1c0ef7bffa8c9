"""Plain records of the generated sample (turned into CSV rows by :mod:`store.sample.exports`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from store.sample.catalog import SampleProduct, SampleVariant
from store.sample.people import SampleCustomer


@dataclass
class SampleLine:
    """A line item."""

    product: SampleProduct
    variant: SampleVariant
    quantity: int

    @property
    def name(self) -> str:
        """Shopify's ``Lineitem name``: ``Title - Size / Color``."""
        return f"{self.product.title} - {self.variant.size} / {self.variant.color}"


@dataclass
class SampleShipment:
    """A fulfillment with tracking."""

    carrier: str
    tracking_number: str
    tracking_url: str
    status: str
    shipped_at: datetime
    eta: Optional[date]
    delivered_at: Optional[datetime]
    lines: list  # [(sku, quantity)]


@dataclass
class SampleReturn:
    """An RMA."""

    rma: str
    lines: list  # [(sku, quantity)]
    reason: str
    resolution: str
    status: str
    created_at: datetime
    received_at: Optional[datetime] = None
    inspected_at: Optional[datetime] = None
    refunded_at: Optional[datetime] = None
    refund_amount: Optional[Decimal] = None
    refund_method: Optional[str] = None


@dataclass
class SampleOrder:
    """An order and everything that happened to it."""

    number: int
    customer: SampleCustomer
    placed_at: datetime
    lines: list
    method: dict
    shipping_price: Decimal = Decimal("0.00")
    discount_code: Optional[str] = None
    discount: Decimal = Decimal("0.00")
    tax_rate: Decimal = Decimal("0")
    shipments: list = field(default_factory=list)
    returns: list = field(default_factory=list)
    cancelled_at: Optional[datetime] = None
    address: Optional[dict] = None
    tags: list = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        """Sum of the lines before discounts."""
        return sum((ln.variant.price * ln.quantity for ln in self.lines), Decimal("0.00"))

    @property
    def taxes(self) -> Decimal:
        """Sales tax on the discounted subtotal."""
        return ((self.subtotal - self.discount) * self.tax_rate).quantize(Decimal("0.01"))

    @property
    def total(self) -> Decimal:
        """What the shopper paid."""
        return self.subtotal - self.discount + self.shipping_price + self.taxes
