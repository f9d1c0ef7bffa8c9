"""The fake Shopify's data: the sample store's catalog, customers and orders as Shopify resources.

Resources are kept in the REST shape webhooks carry (``id``, ``name``, ``line_items``...), with
Shopify-style numeric ids derived from the store's own row ids, so a test can name the same order
by number in the store and by id in the fake. :mod:`tests.fakes.shopify_admin` renders them as
GraphQL nodes and delivers them as webhooks.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import selectinload

from store.db import session_scope
from store.models import Customer, Fulfillment, LineItem, Order, Product, Return, Variant

PRODUCT, VARIANT, INVENTORY_ITEM = 7_000_000_000, 40_000_000_000, 50_000_000_000
CUSTOMER, ORDER, LINE_ITEM, FULFILLMENT = 6_000_000_000, 5_000_000_000, 13_000_000_000, 4_000_000_000
FULFILLMENT_LINE_ITEM, RETURN = 21_000_000_000, 9_000_000_000
LOCATION_ID = 68_000_000_001

SEEDED_AT = datetime(2026, 1, 1, tzinfo=timezone.utc)
"""``updated_at`` of every seeded resource: older than anything a test sends."""


def stamp(moment: datetime) -> str:
    """A time as Shopify writes it (ISO 8601 with an offset)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _money(value: Any) -> str:
    return f"{value:.2f}"


def product_resource(product: Product) -> Dict[str, Any]:
    option_names = (
        list(product.variants[0].options) if product.variants and product.variants[0].options else []
    )
    return {
        "id": PRODUCT + product.id,
        "handle": product.handle,
        "title": product.title,
        "body_html": f"<p>{product.description}</p>",
        "vendor": product.vendor,
        "product_type": product.category.name if product.category else "",
        "tags": ", ".join(product.tags or []),
        "status": product.status,
        "updated_at": stamp(SEEDED_AT),
        "options": [{"name": name, "position": i + 1} for i, name in enumerate(option_names)],
        "variants": [_variant_resource(v, option_names) for v in product.variants],
    }


def _variant_resource(variant: Variant, option_names: List[str]) -> Dict[str, Any]:
    values = [variant.options.get(name) for name in option_names] + [None] * 3
    return {
        "id": VARIANT + variant.id,
        "product_id": PRODUCT + variant.product_id,
        "sku": variant.sku,
        "price": _money(variant.price),
        "compare_at_price": _money(variant.compare_at_price) if variant.compare_at_price else None,
        "position": variant.position + 1,
        "inventory_quantity": variant.inventory_quantity,
        "inventory_item_id": INVENTORY_ITEM + variant.id,
        "barcode": variant.barcode,
        "grams": variant.grams,
        "option1": values[0] or ("Default Title" if not option_names else None),
        "option2": values[1],
        "option3": values[2],
    }


def customer_resource(customer: Customer) -> Dict[str, Any]:
    return {
        "id": CUSTOMER + customer.id,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "email": customer.email,
        "phone": customer.phone,
        "tags": ", ".join(customer.tags or []),
        "created_at": stamp(customer.created_at or SEEDED_AT),
        "updated_at": stamp(SEEDED_AT),
        "email_marketing_consent": {
            "state": "subscribed" if customer.accepts_email_marketing else "not_subscribed"
        },
    }


def order_resource(order: Order) -> Dict[str, Any]:
    address = order.shipping_address or {}
    return {
        "id": ORDER + order.id,
        "name": order.name,
        "email": order.email,
        "phone": order.phone,
        "created_at": stamp(order.placed_at),
        "updated_at": stamp(SEEDED_AT),
        "cancelled_at": stamp(order.cancelled_at) if order.cancelled_at else None,
        "cancel_reason": order.cancel_reason,
        "financial_status": order.financial_status,
        "fulfillment_status": None if order.fulfillment_status == "unfulfilled" else order.fulfillment_status,
        "currency": order.currency,
        "subtotal_price": _money(order.subtotal),
        "total_shipping_price_set": {
            "shop_money": {"amount": _money(order.shipping), "currency_code": order.currency}
        },
        "total_tax": _money(order.taxes),
        "total_price": _money(order.total),
        "tags": ", ".join(order.tags or []),
        "customer": {"id": CUSTOMER + order.customer_id} if order.customer_id else None,
        "shipping_address": {
            "name": address.get("name"),
            "address1": address.get("address1"),
            "address2": address.get("address2"),
            "city": address.get("city"),
            "province_code": address.get("region"),
            "zip": address.get("postal_code"),
            "country_code": address.get("country"),
            "phone": address.get("phone"),
        },
        "line_items": [_line_resource(line) for line in order.line_items],
        "fulfillments": [fulfillment_resource(f) for f in order.fulfillments],
    }


def _line_resource(line: LineItem) -> Dict[str, Any]:
    return {
        "id": LINE_ITEM + line.id,
        "sku": line.sku,
        "name": line.title,
        "quantity": line.quantity,
        "price": _money(line.price),
        "variant_id": VARIANT + line.variant_id if line.variant_id else None,
        "fulfillment_status": line.fulfillment_status,
    }


def fulfillment_resource(fulfillment: Fulfillment) -> Dict[str, Any]:
    delivered = fulfillment.delivered_at is not None or fulfillment.shipment_status == "delivered"
    return {
        "id": FULFILLMENT + fulfillment.id,
        "order_id": ORDER + fulfillment.order_id,
        "status": "success",
        "shipment_status": "delivered" if delivered else fulfillment.shipment_status,
        "created_at": stamp(fulfillment.shipped_at),
        "updated_at": stamp(SEEDED_AT),
        "delivered_at": stamp(fulfillment.delivered_at) if fulfillment.delivered_at else None,
        "tracking_company": fulfillment.carrier,
        "tracking_numbers": [fulfillment.tracking_number] if fulfillment.tracking_number else [],
        "tracking_urls": [fulfillment.tracking_url] if fulfillment.tracking_url else [],
        "line_items": [
            {"id": LINE_ITEM + line.line_item_id, "quantity": line.quantity} for line in fulfillment.lines
        ],
    }


def fulfillment_line_items(order: Dict[str, Any]) -> List[Tuple[int, int, int]]:
    """``(fulfillment line item id, order line id, units)`` of each shipped fulfillment line.

    Shopify gives each line of a fulfillment its own id (returns name those); here it is derived
    from the fulfillment's id and the line's place in it.
    """
    found = []
    for fulfillment in order["fulfillments"]:
        if fulfillment["status"] != "success":
            continue
        for position, item in enumerate(fulfillment["line_items"]):
            line_id = FULFILLMENT_LINE_ITEM + (fulfillment["id"] - FULFILLMENT) * 100 + position
            found.append((line_id, item["id"], item["quantity"]))
    return found


def return_resource(order: Dict[str, Any], ret: Return, number: int) -> Dict[str, Any]:
    """A return the store already had, on the fulfillment lines that shipped its units."""
    shipped = fulfillment_line_items(order)
    items = []
    for item in ret.items:
        wanted = item.quantity
        for line_id, order_line, units in shipped:
            take = min(wanted, units) if order_line == LINE_ITEM + item.line_item_id else 0
            if take:
                items.append(
                    {"fulfillment_line_item_id": line_id, "quantity": take, "return_reason": "OTHER"}
                )
                wanted -= take
    status = "DECLINED" if ret.status == "rejected" else "OPEN"
    return {"id": RETURN + ret.id, "name": f"{order['name']}-R{number}", "status": status,
            "return_line_items": items}  # fmt: skip


class ShopData:
    """Products, customers and orders of one fake shop, by id (REST-shaped resources)."""

    def __init__(self) -> None:
        self.products: Dict[int, Dict[str, Any]] = {}
        self.customers: Dict[int, Dict[str, Any]] = {}
        self.orders: Dict[int, Dict[str, Any]] = {}
        self.returns: Dict[int, List[Dict[str, Any]]] = {}  # by order id

    @classmethod
    def from_store(cls, engine: Engine) -> ShopData:
        """The shop as the store at ``engine`` has it (the sample store, in tests and the demo)."""
        data = cls()
        with session_scope(engine) as session:
            products = session.execute(
                select(Product).options(selectinload(Product.variants), selectinload(Product.category))
            ).scalars()
            data.products = {p["id"]: p for p in map(product_resource, products)}
            data.customers = {
                c["id"]: c for c in map(customer_resource, session.execute(select(Customer)).scalars())
            }
            orders = session.execute(
                select(Order).options(
                    selectinload(Order.line_items),
                    selectinload(Order.fulfillments).selectinload(Fulfillment.lines),
                    selectinload(Order.returns).selectinload(Return.items),
                )
            ).scalars()
            for order in orders:
                resource = data.orders[ORDER + order.id] = order_resource(order)
                if order.returns:
                    data.returns[resource["id"]] = [
                        return_resource(resource, ret, n + 1) for n, ret in enumerate(order.returns)
                    ]
        return data

    def order_named(self, name: str) -> Dict[str, Any]:
        """The order called ``name`` (``#1003``)."""
        return next(order for order in self.orders.values() if order["name"] == name)

    def order(self, order_id: int) -> Optional[Dict[str, Any]]:
        return self.orders.get(order_id)
