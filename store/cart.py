"""A shopper's cart priced from the catalog: each line at its variant's current price.

The storefront page keeps the cart in the browser (SKUs and quantities only) and asks for its
prices here, so the page never does money arithmetic or formatting of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from store.discounts import CartLine
from store.models import Variant, money


@dataclass(frozen=True)
class PricedLine:
    """One cart line the catalog knows, at the variant's current price."""

    sku: str
    title: str
    size: Optional[str]
    color: Optional[str]
    quantity: int
    unit_price: Decimal
    line_total: Decimal


@dataclass(frozen=True)
class PricedCart:
    """The priced lines (unknown SKUs left out) and their subtotal."""

    lines: tuple[PricedLine, ...]
    subtotal: Decimal


def price_cart(session: Session, *, lines: list[CartLine]) -> PricedCart:
    """Price ``lines`` at the catalog's current prices; SKUs the catalog lacks are dropped."""
    wanted = {line.sku.strip().upper() for line in lines}
    variants = {
        v.sku: v
        for v in session.execute(
            select(Variant).where(Variant.sku.in_(wanted)).options(selectinload(Variant.product))
        ).scalars()
    }
    priced = []
    for line in lines:
        variant = variants.get(line.sku.strip().upper())
        if variant is None or line.quantity < 1:
            continue
        unit = money(variant.price)
        priced.append(
            PricedLine(
                sku=variant.sku,
                title=variant.product.title,
                size=variant.size,
                color=variant.color,
                quantity=line.quantity,
                unit_price=unit,
                line_total=unit * line.quantity,
            )
        )
    return PricedCart(tuple(priced), sum((p.line_total for p in priced), money(0)))
