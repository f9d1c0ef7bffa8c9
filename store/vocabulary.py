"""The vocabulary the NLU catalog matcher is built from, taken from the store's own catalog."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from store.models import SizeChart
from store.products import active_products
from store.sizes import size_sort_key
from store.text import STOPWORDS, stem, words


@dataclass(frozen=True)
class ProductTerm:
    """A product name and the shorter names shoppers use for it."""

    handle: str
    title: str
    short_names: tuple[str, ...]


@dataclass(frozen=True)
class CatalogVocabulary:
    """Terms for the NLU catalog matcher (all taken from the store's own data)."""

    products: tuple[ProductTerm, ...]
    categories: tuple[str, ...]
    category_terms: dict
    colors: tuple[str, ...]
    sizes: tuple[str, ...]
    brands: tuple[str, ...]


def _short_names(title: str, vendor: str) -> tuple[str, ...]:
    lowered = title.lower()
    names = []
    if vendor and lowered.startswith(vendor.lower() + " "):
        names.append(lowered[len(vendor) + 1 :])
    words = lowered.split()
    if len(words) >= 3:
        names.append(" ".join(words[1:]))
    return tuple(dict.fromkeys(n for n in names if n != lowered))


def catalog_vocabulary(session: Session) -> CatalogVocabulary:
    """Product titles (and short names), categories, colors, sizes and brands of the catalog."""
    products = active_products(session)
    categories = sorted({p.category.name for p in products if p.category})
    category_terms = {
        name: tuple(
            sorted(
                {name.lower()}
                | {w for w in words(name) if w not in STOPWORDS}
                | {stem(w) for w in words(name) if w not in STOPWORDS}
            )
        )
        for name in categories
    }
    sizes = {v.size for p in products for v in p.variants if v.size}
    for chart in session.execute(select(SizeChart).options(selectinload(SizeChart.rows))).scalars():
        for row in chart.rows:
            sizes.update(row.aliases or [])
    return CatalogVocabulary(
        products=tuple(ProductTerm(p.handle, p.title, _short_names(p.title, p.vendor)) for p in products),
        categories=tuple(categories),
        category_terms=category_terms,
        colors=tuple(sorted({v.color for p in products for v in p.variants if v.color})),
        sizes=tuple(sorted(sizes, key=size_sort_key)),
        brands=tuple(sorted({p.vendor for p in products if p.vendor})),
    )
