"""Apply Shopify's resources (webhook payloads, REST-shaped) to the store: idempotent upserts.

Each ``apply_*`` function takes a session (one transaction, the caller's) and a payload shaped
like Shopify's REST resource, which is what webhooks deliver and what the sync converts its
GraphQL answers to (:mod:`integrations.shopify.graphql_shapes`). A row is found by its Shopify
id, or, the first time, by what the CSV import keyed it on (order number, SKU, handle, email), so
a store imported from exports is taken over rather than duplicated. A payload whose
``updated_at`` is older than the row's is stale and changes nothing: deliveries come late and out
of order, and the newest state must win. The same version again is applied again (it writes the
same values), which lets a sync repair a row that drifted without a newer version to carry it.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, Iterable, Mapping, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from integrations.shopify.batch import MISSING, keep, lookup, remember
from store.back_in_stock import restocked
from store.catalog_version import bump_catalog_version
from store.contact import normalize_email, parse_order_number, phone_key
from store.models import (
    Category,
    Customer,
    Fulfillment,
    FulfillmentLine,
    LineItem,
    Order,
    Product,
    ReturnPolicy,
    Variant,
    money,
)  # fmt: skip
from store.triggers import queue_back_in_stock

Payload = Mapping[str, Any]

_SHIPMENT = {
    "delivered": "delivered",
    "out_for_delivery": "out_for_delivery",
    "failure": "failure",
    "attempted_delivery": "delayed",
}
"""Shopify's ``shipment_status`` as the store's (anything else on a shipped parcel: in transit)."""

_FULFILLMENT_STATUS = {
    None: "unfulfilled",
    "fulfilled": "fulfilled",
    "partial": "partial",
    "restocked": "restocked",
}


class Outcome(str, enum.Enum):
    """What applying a payload did."""

    APPLIED = "applied"
    STALE = "stale"  # the store already has the same or a newer version
    IGNORED = "ignored"  # names nothing the store keeps (an order we never saw, for instance)


def parse_time(value: Any) -> Optional[datetime]:
    """An ISO 8601 time from Shopify (``Z`` or an offset) as an aware datetime; None if absent."""
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _amount(value: Any) -> Decimal:
    if isinstance(value, Mapping):  # a money set: {"shop_money": {"amount": "1.00"}}
        value = (value.get("shop_money") or {}).get("amount")
    try:
        return money(value if value not in (None, "") else 0)
    except InvalidOperation:
        return money(0)


def _tags(value: Any) -> list:
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    return [str(t) for t in value or ()]


def _is_stale(current: Optional[datetime], incoming: Optional[datetime]) -> bool:
    return current is not None and incoming is not None and incoming < current


def _is_news(current: Optional[datetime], incoming: Optional[datetime]) -> bool:
    """Whether a version is new to the store (not the same version applied again)."""
    return current is None or incoming is None or incoming > current


# --- customers ------------------------------------------------------------------------------------


def apply_customer(session: Session, payload: Payload) -> Outcome:
    """Create or update a customer (``customers/create``, ``customers/update``, the sync)."""
    email = normalize_email(payload.get("email"))
    customer = _one(session, Customer, "shopify_id", int(payload["id"]))
    if customer is None and email:
        customer = _one(session, Customer, "email", email)
    updated = parse_time(payload.get("updated_at"))
    if customer is not None and _is_stale(customer.updated_at, updated):
        return Outcome.STALE
    consent = (payload.get("email_marketing_consent") or {}).get("state")
    customer = customer or Customer()
    customer.shopify_id = int(payload["id"])
    customer.first_name = payload.get("first_name") or ""
    customer.last_name = payload.get("last_name") or ""
    customer.email = email
    customer.phone = payload.get("phone") or None
    customer.phone_key = phone_key(customer.phone)
    customer.accepts_email_marketing = consent == "subscribed"
    customer.created_at = parse_time(payload.get("created_at")) or customer.created_at
    customer.tags = _tags(payload.get("tags"))
    customer.updated_at = updated
    if customer.id is None:
        _added(session, customer)
        remember(session, customer, shopify_id=customer.shopify_id, email=email)
    return Outcome.APPLIED


def _one(session: Session, model: Any, attribute: str, value: Any) -> Any:
    """The row whose ``attribute`` is ``value``, without flushing pending changes first.

    A sync page answers from the rows it prefetched (:mod:`integrations.shopify.batch`). Otherwise
    one query: autoflush before every look-up would cost most of a sync's time; rows are flushed
    when they are created (:func:`_added`), so a look-up still finds every row, new ones included.
    """
    cached = lookup(session, model, attribute, value)
    if cached is not MISSING:
        return cached
    with session.no_autoflush:
        return session.execute(select(model).where(getattr(model, attribute) == value)).scalars().first()


def _added(session: Session, row: Any) -> Any:
    session.add(row)
    session.flush()
    return row


# --- catalog ----------------------------------------------------------------------------------------


def _return_policy(session: Session) -> Optional[ReturnPolicy]:
    """The store's return policy (read once per sync page)."""
    cached = lookup(session, ReturnPolicy, "store", True)
    if cached is not MISSING:
        return cached
    policy = session.execute(select(ReturnPolicy)).scalars().first()
    keep(session, ReturnPolicy, "store", True, policy)
    return policy


def _final_sale(session: Session, tags: list, category: Optional[str]) -> bool:
    policy = _return_policy(session)
    if policy is None:
        return False
    return any(t in policy.final_sale_tags for t in tags) or category in policy.final_sale_categories


def _category(session: Session, name: str) -> Optional[Category]:
    if not name:
        return None
    category = _one(session, Category, "name", name)
    if category is None:
        category = _added(
            session, Category(name=name, slug=re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"))
        )
        remember(session, category, name=name)
    return category


def apply_product(session: Session, payload: Payload) -> Outcome:
    """Create or update a product and its variants (``products/create``, ``products/update``)."""
    product = _one(session, Product, "shopify_id", int(payload["id"]))
    if product is None and payload.get("handle"):
        product = _one(session, Product, "handle", payload["handle"])
    updated = parse_time(payload.get("updated_at"))
    if product is not None and _is_stale(product.updated_at, updated):
        return Outcome.STALE
    news = product is None or _is_news(product.updated_at, updated)
    if product is None:
        product = Product(handle=payload["handle"])
        session.add(product)
        remember(session, product, shopify_id=int(payload["id"]), handle=payload["handle"])
    tags = _tags(payload.get("tags"))
    category = payload.get("product_type") or ""
    product.shopify_id = int(payload["id"])
    product.handle = payload.get("handle") or product.handle
    product.title = payload.get("title") or product.handle
    product.description = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", payload.get("body_html") or "")).strip()
    product.vendor = payload.get("vendor") or ""
    product.category = _category(session, category)
    product.tags = tags
    product.status = (payload.get("status") or "active").lower()
    product.fit = next(
        (t.split(":", 1)[1].replace("-", "_") for t in tags if t.lower().startswith("fit:")), None
    )
    product.final_sale = _final_sale(session, tags, category)
    product.image_url = ((payload.get("image") or {}).get("src")) or product.image_url
    product.updated_at = updated
    option_names = [
        o.get("name", "") for o in sorted(payload.get("options") or [], key=lambda o: o.get("position", 0))
    ]
    for position, variant in enumerate(payload.get("variants") or []):
        _apply_variant(session, product, variant, position, option_names)
    session.flush()
    if news:
        bump_catalog_version(session)
    return Outcome.APPLIED


def _apply_variant(
    session: Session, product: Product, payload: Payload, position: int, option_names: list
) -> None:
    variant = _one(session, Variant, "shopify_id", int(payload["id"]))
    sku = (payload.get("sku") or "").upper()
    if variant is None and sku:
        variant = _one(session, Variant, "sku", sku)
    if variant is None:
        variant = Variant(sku=sku or f"SHOPIFY-{payload['id']}", inventory_quantity=0)
        product.variants.append(variant)
        remember(session, variant, shopify_id=int(payload["id"]), sku=variant.sku)
    values = [payload.get(f"option{n}") for n in (1, 2, 3)]
    options = {
        (option_names[i] if i < len(option_names) else f"Option{i + 1}"): value
        for i, value in enumerate(values)
        if value and value != "Default Title"
    }
    by_name = {name.lower(): value for name, value in options.items()}
    variant.product = product
    variant.shopify_id = int(payload["id"])
    variant.inventory_item_id = payload.get("inventory_item_id") or variant.inventory_item_id
    variant.sku = sku or variant.sku
    variant.position = payload.get("position", position + 1) - 1
    variant.options = options
    variant.size = next((by_name[k] for k in ("size", "shoe size", "waist") if k in by_name), None)
    variant.color = next((by_name[k] for k in ("color", "colour") if k in by_name), None)
    variant.price = _amount(payload.get("price"))
    variant.compare_at_price = (
        _amount(payload["compare_at_price"]) if payload.get("compare_at_price") else None
    )
    variant.barcode = payload.get("barcode") or None
    variant.grams = payload.get("grams")
    if payload.get("inventory_quantity") is not None and not variant.inventory_levels:
        # per-location levels (inventory webhooks) are more precise than the product's total
        variant.inventory_quantity = int(payload["inventory_quantity"])


def delete_product(session: Session, payload: Payload) -> Outcome:
    """``products/delete``: the product leaves the catalog; orders keep their lines (archived)."""
    product = _one(session, Product, "shopify_id", int(payload["id"]))
    if product is None:
        return Outcome.IGNORED
    if product.status != "archived":
        product.status = "archived"
        bump_catalog_version(session)
    return Outcome.APPLIED


def apply_inventory_level(session: Session, payload: Payload) -> Outcome:
    """``inventory_levels/update``: one location's stock of one inventory item (no variant id)."""
    variant = _one(session, Variant, "inventory_item_id", int(payload["inventory_item_id"]))
    if variant is None:
        return Outcome.IGNORED
    levels: Dict[str, list] = dict(variant.inventory_levels or {})
    location = str(payload["location_id"])
    updated = parse_time(payload.get("updated_at"))
    known = parse_time(levels[location][1]) if location in levels else None
    if _is_stale(known, updated):
        return Outcome.STALE
    news = location not in levels or _is_news(known, updated)
    levels[location] = [int(payload.get("available") or 0), updated.isoformat() if updated else None]
    variant.inventory_levels = levels
    was = variant.inventory_quantity
    variant.inventory_quantity = sum(max(available, 0) for available, _ in levels.values())
    if news:
        bump_catalog_version(session)
    now = clock.now()
    due = restocked(session, variant=variant, was=was, now=now)  # back-in-stock alerts become due
    queue_back_in_stock(session, sku=variant.sku, due=due, now=now)
    return Outcome.APPLIED


# --- orders -----------------------------------------------------------------------------------------


def _customer_of(session: Session, payload: Payload, email: Optional[str]) -> Optional[Customer]:
    shopify_customer = payload.get("customer") or {}
    customer = None
    if shopify_customer.get("id"):
        customer = _one(session, Customer, "shopify_id", int(shopify_customer["id"]))
    if customer is None and email:
        customer = _one(session, Customer, "email", email)
    return customer


def store_address(address: Payload) -> Dict[str, Any]:
    """A REST address (``shipping_address``) as the store's ``Order.shipping_address`` fields."""
    return {
        "name": address.get("name"),
        "address1": address.get("address1") or "",
        "address2": address.get("address2") or None,
        "city": address.get("city") or "",
        "region": address.get("province_code") or None,
        "postal_code": address.get("zip") or "",
        "country": (address.get("country_code") or "").upper(),
        "phone": address.get("phone") or None,
    }


def apply_order(session: Session, payload: Payload) -> Outcome:
    """Create or update an order, its lines and fulfillments (``orders/*`` topics, the sync)."""
    number = parse_order_number(str(payload.get("name") or payload.get("order_number") or ""))
    order = _one(session, Order, "shopify_id", int(payload["id"]))
    if order is None and number is not None:
        order = _one(session, Order, "number", number)
    updated = parse_time(payload.get("updated_at"))
    if order is not None and _is_stale(order.updated_at, updated):
        return Outcome.STALE
    if order is None:
        if number is None:
            return Outcome.IGNORED
        order = Order(number=number, name=f"#{number}")
        session.add(order)
        remember(session, order, shopify_id=int(payload["id"]), number=number)
    email = normalize_email(payload.get("email"))
    address = store_address(payload.get("shipping_address") or {})
    order.shopify_id = int(payload["id"])
    order.customer = _customer_of(session, payload, email) or order.customer
    order.email = email
    order.phone = payload.get("phone") or address["phone"] or order.phone
    order.phone_key = phone_key(order.phone)
    order.placed_at = parse_time(payload.get("created_at")) or order.placed_at
    order.financial_status = payload.get("financial_status") or order.financial_status or "paid"
    order.fulfillment_status = _FULFILLMENT_STATUS.get(payload.get("fulfillment_status"), "unfulfilled")
    order.currency = (payload.get("currency") or "USD").upper()
    order.subtotal = _amount(payload.get("subtotal_price"))
    order.shipping = _amount(payload.get("total_shipping_price_set"))
    order.taxes = _amount(payload.get("total_tax"))
    order.total = _amount(payload.get("total_price"))
    order.shipping_address = address
    order.shipping_country = address["country"] or None
    order.cancelled_at = parse_time(payload.get("cancelled_at"))
    order.cancel_reason = payload.get("cancel_reason") if order.cancelled_at else None
    order.tags = _tags(payload.get("tags"))
    order.updated_at = updated
    for position, line in enumerate(payload.get("line_items") or []):
        _apply_line(session, order, line, position)
    session.flush()
    for fulfillment in payload.get("fulfillments") or []:
        _apply_fulfillment(session, order, fulfillment)
    return Outcome.APPLIED


def _apply_line(session: Session, order: Order, payload: Payload, position: int) -> None:
    line = _one(session, LineItem, "shopify_id", int(payload["id"]))
    sku = (payload.get("sku") or "").upper() or None
    if line is None:
        # a line the CSV import made: same order, same position
        line = next((i for i in order.line_items if i.shopify_id is None and i.position == position), None)
    if line is None:
        line = LineItem(order=order)
        order.line_items.append(line)
        remember(session, line, shopify_id=int(payload["id"]))
    variant = None
    if payload.get("variant_id"):
        variant = _one(session, Variant, "shopify_id", int(payload["variant_id"]))
    if variant is None and sku:
        variant = _one(session, Variant, "sku", sku)
    line.shopify_id = int(payload["id"])
    line.position = position
    line.sku = sku
    line.variant = variant
    line.title = payload.get("name") or payload.get("title") or line.title or ""
    line.size = variant.size if variant is not None else line.size
    line.color = variant.color if variant is not None else line.color
    line.quantity = int(payload.get("quantity") or 0)
    line.price = _amount(payload.get("price"))
    line.fulfillment_status = payload.get("fulfillment_status")


def apply_fulfillment(session: Session, payload: Payload) -> Outcome:
    """``fulfillments/create`` and ``fulfillments/update``: a shipment of a known order."""
    order = _one(session, Order, "shopify_id", int(payload["order_id"]))
    if order is None:
        return Outcome.IGNORED
    return _apply_fulfillment(session, order, payload)


def _apply_fulfillment(session: Session, order: Order, payload: Payload) -> Outcome:
    fulfillment = _one(session, Fulfillment, "shopify_id", int(payload["id"]))
    updated = parse_time(payload.get("updated_at"))
    if fulfillment is not None and _is_stale(fulfillment.updated_at, updated):
        return Outcome.STALE
    if payload.get("status") in ("cancelled", "error", "failure"):
        if fulfillment is not None:
            session.delete(fulfillment)
        return Outcome.APPLIED
    tracking_number = _first(payload.get("tracking_numbers")) or payload.get("tracking_number")
    shipped_at = parse_time(payload.get("created_at"))
    if fulfillment is None:
        # a shipment the CSV import made: same order, same tracking number (or time, without one)
        fulfillment = next(
            (
                f for f in order.fulfillments
                if f.shopify_id is None
                and (f.tracking_number == tracking_number if tracking_number else f.shipped_at == shipped_at)
            ),
            None,
        )  # fmt: skip
    if fulfillment is None:
        fulfillment = Fulfillment(order=order)
        session.add(fulfillment)
        remember(session, fulfillment, shopify_id=int(payload["id"]))
    status = _SHIPMENT.get(payload.get("shipment_status") or "", "in_transit")
    fulfillment.shopify_id = int(payload["id"])
    fulfillment.carrier = payload.get("tracking_company") or None
    fulfillment.tracking_number = tracking_number
    fulfillment.tracking_url = _first(payload.get("tracking_urls")) or payload.get("tracking_url")
    fulfillment.shipment_status = status
    fulfillment.shipped_at = shipped_at or updated or fulfillment.shipped_at
    delivered = parse_time(payload.get("delivered_at")) or (updated if status == "delivered" else None)
    fulfillment.delivered_at = delivered if status == "delivered" else None
    fulfillment.updated_at = updated
    _apply_fulfillment_lines(order, fulfillment, payload.get("line_items") or [])
    session.flush()
    return Outcome.APPLIED


def _apply_fulfillment_lines(order: Order, fulfillment: Fulfillment, items: list) -> None:
    """Shipped units per line, updated in place (the same payload again rewrites nothing)."""
    lines = {line.shopify_id: line for line in order.line_items}
    existing = {shipped.line_item: shipped for shipped in fulfillment.lines}
    kept = []
    for item in items:
        line = lines.get(int(item["id"]))
        if line is None:
            continue
        shipped = existing.get(line) or FulfillmentLine(line_item=line)
        shipped.quantity = int(item.get("quantity") or 0)
        kept.append(shipped)
    fulfillment.lines = kept


def _first(values: Optional[Iterable[Any]]) -> Optional[str]:
    return next((str(v) for v in values or () if v), None)


__all__ = [
    "Outcome", "apply_customer", "apply_fulfillment", "apply_inventory_level", "apply_order", "apply_product",
    "delete_product", "parse_time", "store_address",
]  # fmt: skip
