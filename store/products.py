"""Finding the store's products: the active ones, one by name, and a product's page."""

from __future__ import annotations

import difflib
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
    tokens = [t for t in words(wanted) if t not in STOPWORDS]
    contained = [
        p for p in products if tokens and all(stem(t) in {stem(w) for w in words(p.title)} for t in tokens)
    ]
    if contained:
        return min(contained, key=lambda p: (len(p.title), p.id))
    titles = {p.title.lower(): p for p in products}
    close = difflib.get_close_matches(lowered, list(titles), n=1, cutoff=0.6)
    return titles[close[0]] if close else None
