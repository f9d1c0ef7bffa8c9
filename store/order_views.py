"""Plain, frozen views of orders and the rule that names an order's status."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Optional
from zoneinfo import ZoneInfo

from store.codes import OrderStatus
from store.models import Order

OPEN_RETURN_STATUSES = ("requested", "approved", "in_transit", "received", "refunded", "exchanged")


@dataclass(frozen=True)
class Address:
    """A shipping address; ``country`` is an ISO code, ``region`` a state/province code or name."""

    address1: str
    city: str
    postal_code: str
    country: str
    name: Optional[str] = None
    address2: Optional[str] = None
    region: Optional[str] = None
    phone: Optional[str] = None


@dataclass(frozen=True)
class LineItemView:
    """One line of an order; ``fulfilled`` and ``returned`` count units."""

    id: int
    sku: Optional[str]
    title: str
    size: Optional[str]
    color: Optional[str]
    quantity: int
    price: Decimal
    fulfilled: int
    returned: int = 0
    product_handle: Optional[str] = None


@dataclass(frozen=True)
class FulfillmentView:
    """A shipment and where it is."""

    carrier: Optional[str]
    tracking_number: Optional[str]
    tracking_url: Optional[str]
    shipped_at: datetime
    estimated_delivery: Optional[date]
    delivered_at: Optional[datetime]
    status: str
    line_item_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReturnSummary:
    """An RMA on an order."""

    rma: str
    status: str
    resolution: str


@dataclass(frozen=True)
class OrderView:
    """An order the shopper has proved is theirs."""

    number: int
    name: str
    status: OrderStatus
    placed_at: datetime
    items: tuple[LineItemView, ...]
    fulfillments: tuple[FulfillmentView, ...]
    total: Decimal
    subtotal: Decimal
    shipping: Decimal
    currency: str
    customer_id: Optional[int]
    shipping_country: Optional[str]
    is_high_value: bool
    financial_status: str
    shipping_method: Optional[str]
    shipping_address: Address
    cancelled_at: Optional[datetime] = None
    returns: tuple[ReturnSummary, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class OrderSummary:
    """One line of "your recent orders"."""

    number: int
    name: str
    status: OrderStatus
    placed_at: datetime
    total: Decimal
    currency: str
    item_count: int


def fulfilled_units(order: Order) -> dict[int, int]:
    """Units shipped per line item id (from fulfillments, else the export's line status)."""
    shipped: dict[int, int] = defaultdict(int)
    for fulfillment in order.fulfillments:
        for line in fulfillment.lines:
            shipped[line.line_item_id] += line.quantity
    if not order.fulfillments:
        for item in order.line_items:
            if item.fulfillment_status == "fulfilled":
                shipped[item.id] = item.quantity
    return {item.id: min(shipped.get(item.id, 0), item.quantity) for item in order.line_items}


def returned_units(order: Order) -> dict[int, int]:
    """Units in returns that were not rejected, per line item id."""
    units: dict[int, int] = defaultdict(int)
    for ret in order.returns:
        if ret.status in OPEN_RETURN_STATUSES:
            for item in ret.items:
                units[item.line_item_id] += item.quantity
    return units


def _fulfillment_is_late(fulfillment, today: date) -> bool:
    if fulfillment.delivered_at is not None or fulfillment.shipment_status == "delivered":
        return False
    if fulfillment.shipment_status in ("delayed", "failure", "attempted_delivery"):
        return True
    return fulfillment.estimated_delivery is not None and fulfillment.estimated_delivery < today


def order_status(order: Order, *, now: datetime, tz: ZoneInfo) -> OrderStatus:
    """The plain-language status of an order at ``now``."""
    if order.cancelled_at is not None:
        return OrderStatus.CANCELLED
    shipped = fulfilled_units(order)
    returned = returned_units(order)
    total_units = sum(item.quantity for item in order.line_items)
    if total_units and sum(min(returned.get(i.id, 0), i.quantity) for i in order.line_items) >= total_units:
        return OrderStatus.RETURNED
    if order.financial_status == "refunded" and any(shipped.values()):
        return OrderStatus.RETURNED
    if not any(shipped.values()):
        return OrderStatus.UNFULFILLED
    today = now.astimezone(tz).date()
    if any(_fulfillment_is_late(f, today) for f in order.fulfillments):
        return OrderStatus.DELAYED
    if sum(shipped.values()) < total_units:
        return OrderStatus.PARTIALLY_FULFILLED
    if order.fulfillments and all(
        f.delivered_at is not None or f.shipment_status == "delivered" for f in order.fulfillments
    ):
        return OrderStatus.DELIVERED
    return OrderStatus.IN_TRANSIT


def order_view(order: Order, *, now: datetime, tz: ZoneInfo, high_value: Optional[Decimal]) -> OrderView:
    """Freeze an ORM order into an :class:`OrderView`."""
    shipped = fulfilled_units(order)
    returned = returned_units(order)
    addr = order.shipping_address or {}
    return OrderView(
        number=order.number,
        name=order.name,
        status=order_status(order, now=now, tz=tz),
        placed_at=order.placed_at,
        items=tuple(
            LineItemView(
                id=i.id,
                sku=i.sku,
                title=i.title,
                size=i.size,
                color=i.color,
                quantity=i.quantity,
                price=i.price,
                fulfilled=shipped.get(i.id, 0),
                returned=returned.get(i.id, 0),
                product_handle=i.variant.product.handle if i.variant is not None else None,
            )
            for i in order.line_items
        ),
        fulfillments=tuple(
            FulfillmentView(
                carrier=f.carrier,
                tracking_number=f.tracking_number,
                tracking_url=f.tracking_url,
                shipped_at=f.shipped_at,
                estimated_delivery=f.estimated_delivery,
                delivered_at=f.delivered_at,
                status=f.shipment_status,
                line_item_ids=tuple(sorted(line.line_item_id for line in f.lines)),
            )
            for f in order.fulfillments
        ),
        total=order.total,
        subtotal=order.subtotal,
        shipping=order.shipping,
        currency=order.currency,
        customer_id=order.customer_id,
        shipping_country=order.shipping_country,
        is_high_value=high_value is not None and order.total >= high_value,
        financial_status=order.financial_status,
        shipping_method=order.shipping_method,
        shipping_address=Address(
            name=addr.get("name"),
            address1=addr.get("address1", ""),
            address2=addr.get("address2"),
            city=addr.get("city", ""),
            region=addr.get("region"),
            postal_code=addr.get("postal_code", ""),
            country=addr.get("country", order.shipping_country or ""),
            phone=addr.get("phone"),
        ),
        cancelled_at=order.cancelled_at,
        returns=tuple(ReturnSummary(r.rma, r.status, r.resolution) for r in order.returns),
    )
