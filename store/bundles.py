"""Complete the look: the products shoppers bought together, learned from the store's orders.

Every order that was not cancelled is a basket of products. For a product A, each product B
bought in the same basket at least :data:`MIN_ORDERS_TOGETHER` times is a companion, ranked by
*confidence*: the share of A's orders that also had B (association rules' A -> B), then by how
many orders had both. Only active companions with a variant in stock are offered, each with its
cheapest in-stock variant (the one an add-to-cart link would add).

The counts are read from the orders on each call (a grouped query over the line items), so a new
order or a Shopify order webhook moves them at once; nothing is trained.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from typing import Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from store.models import LineItem, Order, Product, Variant
from store.products import product_url, resolve_product

MIN_ORDERS_TOGETHER = 3
"""Fewer shared orders than this is chance, not a look (the sample's random baskets share 1 or 2)."""


@dataclass(frozen=True)
class Companion:
    """A product bought with the one asked about, and the variant offered."""

    handle: str
    title: str
    price: Decimal
    url: str
    orders_together: int
    confidence: float
    """Share of the product's orders that also had this one (0..1)."""
    variant_sku: str
    cart_variant_id: int


@dataclass(frozen=True)
class Look:
    """The product asked about (its title) and what goes with it, best first."""

    handle: str
    title: str
    companions: list[Companion]


def baskets(session: Session) -> list[frozenset[int]]:
    """The set of product ids in each order that was not cancelled."""
    rows = session.execute(
        select(LineItem.order_id, Variant.product_id)
        .join(Variant, Variant.id == LineItem.variant_id)
        .join(Order, Order.id == LineItem.order_id)
        .where(Order.cancelled_at.is_(None))
    )
    by_order: dict[int, set[int]] = {}
    for order_id, product_id in rows:
        by_order.setdefault(order_id, set()).add(product_id)
    return [frozenset(products) for products in by_order.values()]


def bought_together(session: Session) -> tuple[Counter, Counter]:
    """How many orders had each product, and each unordered pair of products."""
    singles: Counter = Counter()
    pairs: Counter = Counter()
    for basket in baskets(session):
        singles.update(basket)
        pairs.update(frozenset(pair) for pair in combinations(sorted(basket), 2))
    return singles, pairs


def complete_the_look(
    session: Session, *, product: str, limit: int = 3, exclude: tuple[str, ...] = ()
) -> Optional[Look]:
    """What goes with ``product`` (a handle or title), best first; None when no such product.

    ``exclude`` drops handles the shopper has already been shown with it.
    """
    found = resolve_product(session, product)
    if found is None:
        return None
    return _look(session, found, bought_together(session), limit=limit, exclude=exclude)


def with_a_look(session: Session, *, handles: Sequence[str]) -> list[str]:
    """Those of ``handles`` that have something to go with them (the look buttons to offer)."""
    counts = bought_together(session)
    products = session.execute(select(Product).where(Product.handle.in_(handles))).scalars()
    offered = {p.handle for p in products if _look(session, p, counts, limit=1).companions}
    return [handle for handle in handles if handle in offered]


def _look(
    session: Session,
    found: Product,
    counts: tuple[Counter, Counter],
    *,
    limit: int,
    exclude: Sequence[str] = (),
) -> Look:
    singles, pairs = counts
    scored: dict[int, tuple[float, int]] = {}
    for pair, count in pairs.items():
        if found.id in pair and count >= MIN_ORDERS_TOGETHER:
            (other,) = pair - {found.id}
            scored[other] = (count / singles[found.id], count)
    if not scored:
        return Look(found.handle, found.title, [])
    candidates = session.execute(
        select(Product)
        .where(Product.id.in_(scored), Product.status == "active")
        .options(selectinload(Product.variants))
    ).scalars()
    companions = []
    for candidate in candidates:
        in_stock = [v for v in candidate.variants if v.inventory_quantity > 0]
        if not in_stock or candidate.handle in exclude:
            continue
        offered = min(in_stock, key=lambda v: (v.price, v.position))
        confidence, count = scored[candidate.id]
        companions.append(
            Companion(
                handle=candidate.handle, title=candidate.title, price=offered.price,
                url=product_url(session, candidate.handle), orders_together=count,
                confidence=round(confidence, 3), variant_sku=offered.sku,
                cart_variant_id=offered.shopify_id or offered.id,
            )
        )  # fmt: skip
    companions.sort(key=lambda c: (-c.confidence, -c.orders_together, c.title))
    return Look(found.handle, found.title, companions[:limit])
