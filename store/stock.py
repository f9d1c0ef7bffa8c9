"""Stock of a product in a size and color, with the closest alternatives when it is sold out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from store.codes import AlternativeKind, StockReason
from store.models import Product, SizeChart, Variant
from store.products import resolve_product
from store.sizes import colors_equal, size_sort_key, sizes_equal


@dataclass(frozen=True)
class StockVariant:
    """A variant and how many units are in stock."""

    sku: str
    size: Optional[str]
    color: Optional[str]
    quantity: int


@dataclass(frozen=True)
class StockAlternative:
    """Something in stock instead, of the ``kind`` that says what changes."""

    kind: AlternativeKind
    handle: str
    title: str
    sku: str
    size: Optional[str]
    color: Optional[str]
    quantity: int


@dataclass(frozen=True)
class StockAnswer:
    """Whether what the shopper asked for is in stock (``sold_out_reason`` None), else why not."""

    product_handle: Optional[str]
    product_title: Optional[str]
    variants: tuple[StockVariant, ...]
    in_stock: bool
    alternatives: tuple[StockAlternative, ...]
    sold_out_reason: Optional[StockReason]


def _aliases(session: Session, product: Product) -> dict[str, list[str]]:
    """Chart aliases per size label for the product's category (``US 9.5`` -> ``EU 43``...)."""
    category = product.category.name if product.category else None
    aliases: dict[str, list[str]] = {}
    charts = session.execute(select(SizeChart).options(selectinload(SizeChart.rows))).scalars()
    for chart in charts:
        if product.handle in (chart.products or []) or (category and category in (chart.categories or [])):
            for row in chart.rows:
                aliases.setdefault(row.size, []).extend(row.aliases or [])
    return aliases


def _alternative(kind: AlternativeKind, product: Product, variant: Variant) -> StockAlternative:
    """``variant`` of ``product`` offered instead, as ``kind``."""
    return StockAlternative(
        kind,
        product.handle,
        product.title,
        variant.sku,
        variant.size,
        variant.color,
        variant.inventory_quantity,
    )


def variant_stock(
    session: Session,
    *,
    product: str,
    size: Optional[str] = None,
    color: Optional[str] = None,
    max_alternatives: int = 5,
) -> StockAnswer:
    """Stock of ``product`` (handle or name) in ``size``/``color``, with in-stock alternatives.

    Alternatives come from the same product first (other sizes in the asked color, then other
    colors in the asked size), then from similar products of the same category in the asked size.
    """
    found = resolve_product(session, product)
    if found is None:
        return StockAnswer(None, None, (), False, (), StockReason.UNKNOWN_PRODUCT)
    aliases = _aliases(session, found)

    def size_ok(label: Optional[str]) -> bool:
        return not size or sizes_equal(label, size, aliases.get(label or "", []))

    matching = [v for v in found.variants if size_ok(v.size) and (not color or colors_equal(v.color, color))]
    variants = tuple(StockVariant(v.sku, v.size, v.color, v.inventory_quantity) for v in matching)
    in_stock = any(v.quantity > 0 for v in variants)
    if in_stock:
        return StockAnswer(found.handle, found.title, variants, True, (), None)
    alternatives: list[StockAlternative] = []
    others = sorted(
        (v for v in found.variants if v.inventory_quantity > 0 and v not in matching),
        key=lambda v: size_sort_key(v.size),
    )
    if color:
        alternatives += [
            _alternative(AlternativeKind.OTHER_SIZE, found, v) for v in others if colors_equal(v.color, color)
        ]
    if size:
        alternatives += [
            _alternative(AlternativeKind.OTHER_COLOR, found, v) for v in others if size_ok(v.size)
        ]
    if not size and not color:
        alternatives += [_alternative(AlternativeKind.OTHER_SIZE, found, v) for v in others]
    if found.category_id is not None:
        similar = session.execute(
            select(Product)
            .where(
                Product.category_id == found.category_id, Product.id != found.id, Product.status == "active"
            )
            .options(selectinload(Product.variants))
            .order_by(Product.id)
        ).scalars()
        for other in similar:
            for v in other.variants:
                if (
                    v.inventory_quantity > 0
                    and (not size or sizes_equal(v.size, size))
                    and (not color or colors_equal(v.color, color))
                ):
                    alternatives.append(_alternative(AlternativeKind.SIMILAR_PRODUCT, other, v))
                    break
    reason = StockReason.OUT_OF_STOCK if matching else StockReason.NOT_OFFERED
    return StockAnswer(
        found.handle, found.title, variants, False, tuple(alternatives[:max_alternatives]), reason
    )


@dataclass(frozen=True)
class CartChoice:
    """What "add it to my cart" can add: one variant in stock, or the sizes/colors to choose from.

    ``variant_sku`` is set when exactly one in-stock variant fits what the shopper said (or the
    product comes in one variant); otherwise ``sizes``/``colors`` list what is in stock to pick.
    """

    handle: str
    title: str
    variant_sku: Optional[str] = None
    cart_variant_id: Optional[int] = None
    size: Optional[str] = None
    color: Optional[str] = None
    price: Optional[Decimal] = None
    sizes: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    sold_out: bool = False


def cart_choice(
    session: Session, *, product: str, size: Optional[str] = None, color: Optional[str] = None
) -> Optional[CartChoice]:
    """The variant of ``product`` to put in a cart for ``size``/``color`` (None: unknown product).

    A size or color the product does not come in is ignored (it was said about something else).
    One in-stock variant left after that is the choice; several leave the sizes (then colors) to
    choose from; none in stock is ``sold_out``.
    """
    found = resolve_product(session, product)
    if found is None:
        return None
    aliases = _aliases(session, found)
    variants = list(found.variants)
    if size and any(sizes_equal(v.size, size, aliases.get(v.size or "", [])) for v in variants):
        variants = [v for v in variants if sizes_equal(v.size, size, aliases.get(v.size or "", []))]
    if color and any(colors_equal(v.color, color) for v in variants):
        variants = [v for v in variants if colors_equal(v.color, color)]
    stocked = sorted(
        (v for v in variants if v.inventory_quantity > 0), key=lambda v: (size_sort_key(v.size), v.position)
    )
    base = CartChoice(found.handle, found.title)
    if not stocked:
        return CartChoice(found.handle, found.title, sold_out=True)
    sizes = tuple(dict.fromkeys(v.size for v in stocked if v.size))
    colors = tuple(dict.fromkeys(v.color for v in stocked if v.color))
    if len(sizes) > 1:
        return CartChoice(base.handle, base.title, sizes=sizes)
    if len(colors) > 1:
        return CartChoice(base.handle, base.title, colors=colors)
    chosen = stocked[0]
    return CartChoice(
        found.handle, found.title, variant_sku=chosen.sku,
        cart_variant_id=chosen.shopify_id or chosen.id, size=chosen.size, color=chosen.color,
        price=chosen.price,
    )  # fmt: skip
