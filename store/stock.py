"""Stock of a product in a size and color, with the closest alternatives when it is sold out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.codes import AlternativeKind, StockReason
from store.models import Product, SizeChart, SizeChartRow, Variant
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
    """Chart aliases per size label for the product's category (``US 9.5`` -> ``EU 43``...).

    Read as plain rows (the charts' scope, then the matching charts' sizes), not ORM objects: a
    stock question needs a few labels, not every chart's measurements.
    """
    category = product.category.name if product.category else None
    charts = [
        chart_id
        for chart_id, products, categories in session.execute(
            select(SizeChart.id, SizeChart.products, SizeChart.categories).order_by(SizeChart.id)
        )
        if product.handle in (products or []) or (category and category in (categories or []))
    ]
    aliases: dict[str, list[str]] = {}
    if charts:
        rows = session.execute(
            select(SizeChartRow.size, SizeChartRow.aliases)
            .where(SizeChartRow.chart_id.in_(charts))
            .order_by(SizeChartRow.chart_id, SizeChartRow.position, SizeChartRow.id)
        )
        for size, row_aliases in rows:
            aliases.setdefault(size, []).extend(row_aliases or [])
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
    return stock_of(
        session, resolve_product(session, product), size=size, color=color, max_alternatives=max_alternatives
    )


def stock_of(
    session: Session,
    found: Optional[Product],
    *,
    size: Optional[str] = None,
    color: Optional[str] = None,
    max_alternatives: int = 5,
) -> StockAnswer:
    """:func:`variant_stock` of a product already resolved (``None``: no product by that name)."""
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
        alternatives += _similar_in_stock(session, found, size, color)
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


def _similar_in_stock(
    session: Session, found: Product, size: Optional[str], color: Optional[str]
) -> list[StockAlternative]:
    """Per active product of ``found``'s category (catalog order), its first in-stock variant in
    ``size``/``color``, read as plain rows of the in-stock variants only."""
    rows = session.execute(
        select(
            Product.id,
            Product.handle,
            Product.title,
            Variant.sku,
            Variant.size,
            Variant.color,
            Variant.inventory_quantity,
        )
        .join(Variant, Variant.product_id == Product.id)
        .where(
            Product.category_id == found.category_id,
            Product.id != found.id,
            Product.status == "active",
            Variant.inventory_quantity > 0,
        )
        .order_by(Product.id, Variant.position, Variant.id)
    )
    chosen: dict[int, StockAlternative] = {}
    for product_id, handle, title, sku, variant_size, variant_color, quantity in rows:
        if product_id in chosen:
            continue
        size_fits = not size or sizes_equal(variant_size, size)
        if size_fits and (not color or colors_equal(variant_color, color)):
            chosen[product_id] = StockAlternative(
                AlternativeKind.SIMILAR_PRODUCT, handle, title, sku, variant_size, variant_color, quantity
            )
    return list(chosen.values())
