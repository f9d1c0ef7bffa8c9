"""The storefront page's JSON documents, read from the store (``store/``) in one session each.

Every price goes out twice: the amount (``"159.00"``, for the cart and the chat's page context)
and how a shopper reads it (``"$159.00"``, from :func:`store.money.format_money`, the formatter
the assistant's replies use too), so the page never formats money itself.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Optional

from store.money import format_money, format_price_range

DEMO_TAG = "demo"
MAX_CART_LINES = 50
MAX_QUANTITY = 99


def amount(value: Decimal) -> str:
    """``Decimal("159")`` -> ``"159.00"``: the plain amount, for machines."""
    return f"{value:.2f}"


def catalog(session: Any) -> Dict[str, Any]:
    """The store's name and currency and every active product, for the page's product list."""
    from store.catalog import search_products
    from store.info import store_info

    info = store_info(session)
    products = [
        {
            "handle": hit.handle, "title": hit.title, "category": hit.category, "vendor": hit.vendor,
            "price_from": amount(hit.price_from),
            "price_from_display": format_money(hit.price_from, info.currency),
            "colors": list(hit.colors), "in_stock": hit.in_stock,
        }
        for hit in sorted(search_products(session, limit=10_000), key=lambda hit: hit.title.lower())
    ]  # fmt: skip
    return {"store": {"name": info.name, "currency": info.currency}, "products": products}


def product(session: Any, handle: str) -> Optional[Dict[str, Any]]:
    """One product by its exact handle, with every variant's price and stock."""
    from store.catalog import get_product
    from store.info import store_info

    found = get_product(session, product=handle)
    if found is None or found.handle != handle:
        return None  # get_product also matches titles fuzzily; a page URL names one exact product
    currency = store_info(session).currency
    return {
        "handle": found.handle, "title": found.title, "description": found.description,
        "category": found.category, "vendor": found.vendor, "price_from": amount(found.price_from),
        "price_to": amount(found.price_to),
        "price_display": format_price_range(found.price_from, found.price_to, currency),
        "colors": list(found.colors), "sizes": list(found.sizes),
        "final_sale": found.final_sale, "fit": found.fit,
        "variants": [
            {"sku": v.sku, "size": v.size, "color": v.color, "price": amount(v.price),
             "price_display": format_money(v.price, currency), "available": v.available}
            for v in found.variants
        ],
    }  # fmt: skip


def cart_lines(body: Dict[str, Any]) -> Optional[List[Any]]:
    """The ``{"lines": [{"sku", "quantity"}]}`` of a cart request as store cart lines (None: invalid)."""
    from store.discounts import CartLine

    lines = body.get("lines")
    if not isinstance(lines, list) or len(lines) > MAX_CART_LINES:
        return None
    parsed = []
    for line in lines:
        if not isinstance(line, dict) or not isinstance(line.get("sku"), str) or not line["sku"].strip():
            return None
        quantity = line.get("quantity", 1)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
            return None
        parsed.append(CartLine(sku=line["sku"], quantity=quantity))
    return parsed


def priced_cart(session: Any, lines: List[Any]) -> Dict[str, Any]:
    """The cart at the catalog's current prices, each line and the subtotal also as shown."""
    from store.cart import price_cart
    from store.info import store_info

    currency = store_info(session).currency
    cart = price_cart(session, lines=lines)
    return {
        "currency": currency,
        "lines": [
            {"sku": line.sku, "title": line.title, "size": line.size, "color": line.color,
             "quantity": line.quantity, "price": amount(line.unit_price),
             "line_total": amount(line.line_total),
             "line_total_display": format_money(line.line_total, currency)}
            for line in cart.lines
        ],
        "subtotal": amount(cart.subtotal),
        "subtotal_display": format_money(cart.subtotal, currency),
    }  # fmt: skip


def demo_customers(session: Any) -> List[Dict[str, str]]:
    """Customers the demo may sign in as: tagged ``demo``, and none unless the store is the sample."""
    from sqlalchemy import select

    from store.info import demo_mode
    from store.models import Customer

    if not demo_mode(session):
        return []
    customers = session.execute(select(Customer).order_by(Customer.id)).scalars()
    return [
        {"name": f"{c.first_name} {c.last_name}".strip(), "email": c.email}
        for c in customers
        if c.email and DEMO_TAG in (c.tags or [])
    ]


def product_title(session: Any, handle: str) -> Optional[str]:
    """The title of the product with exactly this handle (None: no such product)."""
    found = product(session, handle)
    return found["title"] if found else None
