"""One sync page's look-ups in a handful of queries, not a few per row.

The upserts of :mod:`integrations.shopify.apply` find each row by its Shopify id, or the first time
by what the CSV import keyed it on. Per webhook that is a few indexed look-ups; per sync page it
was several thousand (a page of 50 products carries about a thousand variants). Before a page is
applied, :func:`prefetch` loads every row the page can name with one ``IN`` query per key (in
chunks), with the collections the upserts walk (a product's variants, an order's lines and
fulfillments), into a cache kept in the session's ``info``. :func:`lookup` answers from it, a key
the page named and the store lacks included; a key it did not name falls through to a query, and
rows the page creates are added (:func:`remember`) so a later row of the same page finds them.
The cache lives as long as the page's session: one transaction.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from store.contact import normalize_email, parse_order_number
from store.models import Category, Customer, Fulfillment, LineItem, Order, Product, Variant

CACHE = "shopify_rows"
CHUNK = 500  # below SQLite's and PostgreSQL's limits on bound parameters

Key = Tuple[Any, str, Any]
MISSING = object()


def lookup(session: Session, model: Any, attribute: str, value: Any) -> Any:
    """The cached row (or None, known absent), or :data:`MISSING` when the page did not name it."""
    cache: Optional[Dict[Key, Any]] = session.info.get(CACHE)
    if cache is None:
        return MISSING
    return cache.get((model, attribute, value), MISSING)


def keep(session: Session, model: Any, attribute: str, value: Any, row: Any) -> None:
    """Cache ``row`` (or None: known absent) under one key (no-op outside a sync page)."""
    cache = session.info.get(CACHE)
    if cache is not None and value is not None:
        cache[(model, attribute, value)] = row


def remember(session: Session, row: Any, **keys: Any) -> None:
    """A row the page created, under its keys (no-op outside a sync page)."""
    for attribute, value in keys.items():
        keep(session, type(row), attribute, value, row)


def _load(session: Session, model: Any, attribute: str, values: Iterable[Any], *options: Any) -> None:
    cache = session.info[CACHE]
    wanted = sorted({v for v in values if v is not None and (model, attribute, v) not in cache}, key=str)
    column = getattr(model, attribute)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found: Dict[Any, Any] = {}
        with session.no_autoflush:
            for row in session.execute(select(model).where(column.in_(chunk)).options(*options)).scalars():
                found.setdefault(getattr(row, attribute), row)
        for value in chunk:
            cache[(model, attribute, value)] = found.get(value)


def _ids(payloads: Iterable[Mapping[str, Any]], key: str = "id") -> list:
    return [int(p[key]) for p in payloads if p.get(key) is not None]


def _products(session: Session, payloads: Sequence[Mapping[str, Any]]) -> None:
    variants = [v for p in payloads for v in p.get("variants") or []]
    with_variants = selectinload(Product.variants)
    _load(session, Product, "shopify_id", _ids(payloads), with_variants)
    _load(session, Product, "handle", [p.get("handle") for p in payloads], with_variants)
    _load(session, Variant, "shopify_id", _ids(variants))
    _load(session, Variant, "sku", [(v.get("sku") or "").upper() or None for v in variants])
    _load(session, Category, "name", [p.get("product_type") or None for p in payloads])


def _customers(session: Session, payloads: Sequence[Mapping[str, Any]]) -> None:
    _load(session, Customer, "shopify_id", _ids(payloads))
    _load(session, Customer, "email", [normalize_email(p.get("email")) for p in payloads])


def _orders(session: Session, payloads: Sequence[Mapping[str, Any]]) -> None:
    walked = (
        selectinload(Order.line_items),
        selectinload(Order.fulfillments).selectinload(Fulfillment.lines),
    )
    numbers = [parse_order_number(str(p.get("name") or p.get("order_number") or "")) for p in payloads]
    _load(session, Order, "shopify_id", _ids(payloads), *walked)
    _load(session, Order, "number", numbers, *walked)
    lines = [line for p in payloads for line in p.get("line_items") or []]
    _load(session, LineItem, "shopify_id", _ids(lines))
    _load(session, Variant, "shopify_id", _ids(lines, "variant_id"))
    _load(session, Variant, "sku", [(line.get("sku") or "").upper() or None for line in lines])
    customers = [p["customer"] for p in payloads if p.get("customer")]
    _load(session, Customer, "shopify_id", _ids(customers))
    _load(session, Customer, "email", [normalize_email(p.get("email")) for p in payloads])
    _load(
        session, Fulfillment, "shopify_id", _ids([f for p in payloads for f in p.get("fulfillments") or []])
    )


PREFETCHERS: Dict[str, Callable[[Session, Sequence[Mapping[str, Any]]], None]] = {
    "products": _products,
    "customers": _customers,
    "orders": _orders,
}


def prefetch(session: Session, kind: str, payloads: Sequence[Mapping[str, Any]]) -> None:
    """Load what a page of ``kind`` (``products``, ``customers``, ``orders``) can name."""
    session.info.setdefault(CACHE, {})
    PREFETCHERS[kind](session, payloads)


__all__ = ["CACHE", "MISSING", "keep", "lookup", "prefetch", "remember"]
