"""Product search and product details."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy.orm import Session

from store.models import Product, Variant, money
from store.products import active_products, product_url, resolve_product
from store.sizes import colors_equal, size_sort_key, sizes_equal
from store.text import STOPWORDS, stem, words


@dataclass(frozen=True)
class ProductHit:
    """A product in search results."""

    handle: str
    title: str
    category: Optional[str]
    price_from: Decimal
    colors: tuple[str, ...]
    sizes_in_stock: tuple[str, ...]
    url: str
    vendor: str = ""
    in_stock: bool = True


@dataclass(frozen=True)
class VariantView:
    """One SKU with its stock."""

    sku: str
    size: Optional[str]
    color: Optional[str]
    price: Decimal
    compare_at_price: Optional[Decimal]
    inventory_quantity: int

    @property
    def available(self) -> bool:
        """Whether at least one unit is in stock."""
        return self.inventory_quantity > 0


@dataclass(frozen=True)
class ProductDetail:
    """Everything a reply about one product may need."""

    handle: str
    title: str
    description: str
    category: Optional[str]
    vendor: str
    url: str
    price_from: Decimal
    price_to: Decimal
    colors: tuple[str, ...]
    sizes: tuple[str, ...]
    variants: tuple[VariantView, ...]
    final_sale: bool
    fit: Optional[str]
    tags: tuple[str, ...]


def _text_score(product: Product, tokens: list[str]) -> int:
    """Title words count double; every token must be found somewhere, else 0."""
    title = {stem(w) for w in words(product.title)}
    other = {
        stem(w)
        for w in words(
            " ".join(
                [
                    product.description or "",
                    product.vendor or "",
                    product.category.name if product.category else "",
                    " ".join(product.tags or []),
                    " ".join(v.color or "" for v in product.variants),
                ]
            )
        )
    }
    score = 0
    for token in tokens:
        root = stem(token)
        if root in title:
            score += 2
        elif root in other:
            score += 1
        else:
            return 0
    return score


def category_matches(product: Product, category: str) -> bool:
    """Whether the product is in the category named (``boots``, ``Tops & Tees``), singular or plural."""
    return product.category is not None and category_name_matches(product.category.name, category)


def category_name_matches(name: str, category: str) -> bool:
    """Whether a category called ``name`` is the one named, singular or plural."""
    name = name.lower()
    wanted = category.strip().lower()
    return wanted == name or stem(wanted) in {stem(w) for w in words(name)}


def search_products(
    session: Session,
    *,
    text: Optional[str] = None,
    category: Optional[str] = None,
    color: Optional[str] = None,
    size: Optional[str] = None,
    min_price: Optional[Decimal] = None,
    max_price: Optional[Decimal] = None,
    limit: int = 5,
) -> list[ProductHit]:
    """Active products matching every given filter, best text match first, then cheapest.

    A size filter keeps products with that size in stock (in the color, when one is given).
    """
    tokens = [t for t in words(text or "") if t not in STOPWORDS]
    low = money(min_price) if min_price is not None else None
    high = money(max_price) if max_price is not None else None
    scored = []
    for product in active_products(session):
        if category and not category_matches(product, category):
            continue
        variants = [
            v
            for v in product.variants
            if (not color or colors_equal(v.color, color))
            and (low is None or v.price >= low)
            and (high is None or v.price <= high)
        ]
        if size:
            variants = [v for v in variants if sizes_equal(v.size, size) and v.inventory_quantity > 0]
        if not variants:
            continue
        score = _text_score(product, tokens) if tokens else 1
        if score:
            scored.append((score, min(v.price for v in variants), product, variants))
    scored.sort(key=lambda s: (-s[0], s[1], s[2].title))
    return [_hit(session, product, variants) for _, _, product, variants in scored[:limit]]


def _hit(session: Session, product: Product, variants: list[Variant]) -> ProductHit:
    in_stock = [v for v in product.variants if v.inventory_quantity > 0]
    return ProductHit(
        handle=product.handle,
        title=product.title,
        category=product.category.name if product.category else None,
        price_from=min(v.price for v in variants),
        colors=tuple(dict.fromkeys(v.color for v in product.variants if v.color)),
        sizes_in_stock=tuple(sorted({v.size for v in in_stock if v.size}, key=size_sort_key)),
        url=product_url(session, product.handle),
        vendor=product.vendor,
        in_stock=bool(in_stock),
    )


def get_product(session: Session, *, product: str) -> Optional[ProductDetail]:
    """Details of the product named by handle, exact title or best fuzzy title match."""
    found = resolve_product(session, product)
    return None if found is None else product_detail(session, found)


def product_detail(session: Session, found: Product) -> ProductDetail:
    """:func:`get_product`'s details of a product already resolved."""
    prices = [v.price for v in found.variants] or [Decimal("0.00")]
    return ProductDetail(
        handle=found.handle,
        title=found.title,
        description=found.description or "",
        category=found.category.name if found.category else None,
        vendor=found.vendor,
        url=product_url(session, found.handle),
        price_from=min(prices),
        price_to=max(prices),
        colors=tuple(dict.fromkeys(v.color for v in found.variants if v.color)),
        sizes=tuple(sorted({v.size for v in found.variants if v.size}, key=size_sort_key)),
        variants=tuple(
            VariantView(v.sku, v.size, v.color, v.price, v.compare_at_price, v.inventory_quantity)
            for v in found.variants
        ),
        final_sale=found.final_sale,
        fit=found.fit,
        tags=tuple(found.tags or ()),
    )
