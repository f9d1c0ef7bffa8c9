"""Product search, product details and the vocabulary the NLU catalog matcher is built from."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from store.info import setting
from store.models import Product, Variant, money
from store.sizes import canonical_size, colors_equal, size_sort_key, sizes_equal

_STOPWORDS = {"a", "an", "the", "for", "in", "of", "with", "and", "or", "some", "any", "me", "i", "my"}


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


def product_url(session: Session, handle: str) -> str:
    """The product page on the storefront."""
    return f"{str(setting(session, 'url', '')).rstrip('/')}/products/{handle}"


def _active_products(session: Session) -> list[Product]:
    stmt = (
        select(Product)
        .where(Product.status == "active")
        .options(selectinload(Product.variants), selectinload(Product.category))
        .order_by(Product.id)
    )
    return list(session.execute(stmt).scalars())


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:\.[0-9])?", text.lower())


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _text_score(product: Product, tokens: list[str]) -> int:
    """Title words count double; every token must be found somewhere, else 0."""
    title = {_stem(w) for w in _words(product.title)}
    other = {
        _stem(w)
        for w in _words(
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
        stem = _stem(token)
        if stem in title:
            score += 2
        elif stem in other:
            score += 1
        else:
            return 0
    return score


def _category_matches(product: Product, category: str) -> bool:
    if product.category is None:
        return False
    name = product.category.name.lower()
    wanted = category.strip().lower()
    return wanted == name or _stem(wanted) in {_stem(w) for w in _words(name)}


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
    tokens = [t for t in _words(text or "") if t not in _STOPWORDS]
    low = money(min_price) if min_price is not None else None
    high = money(max_price) if max_price is not None else None
    scored = []
    for product in _active_products(session):
        if category and not _category_matches(product, category):
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


def resolve_product(session: Session, product: str) -> Optional[Product]:
    """The product named by handle, exact title, or the closest title (None when nothing is close)."""
    wanted = (product or "").strip()
    if not wanted:
        return None
    stmt = select(Product).options(selectinload(Product.variants), selectinload(Product.category))
    found = session.execute(stmt.where(Product.handle == wanted.lower())).scalar_one_or_none()
    if found is not None:
        return found
    products = list(session.execute(stmt.order_by(Product.id)).scalars())
    lowered = wanted.lower()
    for candidate in products:
        if candidate.title.lower() == lowered:
            return candidate
    tokens = [t for t in _words(wanted) if t not in _STOPWORDS]
    contained = [
        p for p in products if tokens and all(_stem(t) in {_stem(w) for w in _words(p.title)} for t in tokens)
    ]
    if contained:
        return min(contained, key=lambda p: (len(p.title), p.id))
    titles = {p.title.lower(): p for p in products}
    close = difflib.get_close_matches(lowered, list(titles), n=1, cutoff=0.6)
    return titles[close[0]] if close else None


def get_product(session: Session, *, product: str) -> Optional[ProductDetail]:
    """Details of the product named by handle, exact title or best fuzzy title match."""
    found = resolve_product(session, product)
    if found is None:
        return None
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


def find_variant(session: Session, *, sku: str) -> Optional[Variant]:
    """The ORM variant with ``sku`` (case-insensitive)."""
    return session.execute(select(Variant).where(Variant.sku == sku.strip().upper())).scalar_one_or_none()


__all__ = [
    "CatalogVocabulary",
    "ProductDetail",
    "ProductHit",
    "ProductTerm",
    "VariantView",
    "canonical_size",
    "catalog_vocabulary",
    "get_product",
    "search_products",
    "variant_stock",
]

from store.stock import StockAlternative, StockAnswer, StockVariant, variant_stock  # noqa: E402,F401
from store.vocabulary import CatalogVocabulary, ProductTerm, catalog_vocabulary  # noqa: E402
