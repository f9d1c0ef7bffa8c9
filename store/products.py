"""Finding the store's products: the active ones, one by name, and a product's page."""

from __future__ import annotations

import difflib
import functools
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from store.info import setting
from store.models import Product
from store.text import STOPWORDS, stem, words


def product_url(session: Session, handle: str) -> str:
    """The product page on the storefront."""
    return f"{str(setting(session, 'url', '')).rstrip('/')}/products/{handle}"


def active_products(session: Session) -> list[Product]:
    """Products on sale, with their variants and category loaded, in catalog order."""
    stmt = (
        select(Product)
        .where(Product.status == "active")
        .options(selectinload(Product.variants), selectinload(Product.category))
        .order_by(Product.id)
    )
    return list(session.execute(stmt).scalars())


def resolve_product(session: Session, product: str) -> Optional[Product]:
    """The product named by handle, exact title, or the closest title (None when nothing is close).

    The titles are matched on ``(id, title)`` rows; only the chosen product is loaded with its
    variants and category (loading every product's variants took seconds under load).
    """
    wanted = (product or "").strip()
    if not wanted:
        return None
    stmt = select(Product).options(selectinload(Product.variants), selectinload(Product.category))
    found = session.execute(stmt.where(Product.handle == wanted.lower())).scalar_one_or_none()
    if found is not None:
        return found
    titles = [
        (row.id, row.title) for row in session.execute(select(Product.id, Product.title).order_by(Product.id))
    ]
    chosen = closest_title(titles, wanted)
    return None if chosen is None else session.execute(stmt.where(Product.id == chosen)).scalar_one()


@functools.lru_cache(maxsize=8192)
def title_stems(title: str) -> frozenset[str]:
    """The stems of a title's words (a pure function of the text, kept for the titles seen)."""
    return frozenset(stem(word) for word in words(title))


def closest_title(titles: list[tuple[int, str]], wanted: str) -> Optional[int]:
    """The id whose title is ``wanted`` (first by id), else the shortest title containing every
    word of it, else the closest spelling (difflib, cutoff 0.6); None when nothing is close."""
    lowered = wanted.lower()
    for product_id, title in titles:
        if title.lower() == lowered:
            return product_id
    wanted_stems = {stem(t) for t in words(wanted) if t not in STOPWORDS}
    contained = [
        (len(title), product_id)
        for product_id, title in titles
        if wanted_stems and wanted_stems <= title_stems(title)
    ]
    if contained:
        return min(contained)[1]
    by_title = {title.lower(): product_id for product_id, title in titles}
    close = difflib.get_close_matches(lowered, list(by_title), n=1, cutoff=0.6)
    return by_title[close[0]] if close else None
