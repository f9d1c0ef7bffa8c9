"""Finding the store's products: the active ones, one by name, and a product's page."""

from __future__ import annotations

import difflib
import functools
import threading
from collections import OrderedDict
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

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
    stmt = select(Product).options(selectinload(Product.variants), joinedload(Product.category))
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


class _TitleAnswers:
    """:func:`closest_title`'s answers for one list of titles, by the text asked for (bounded).

    The answer is a pure function of the titles and the text, and the same text is asked for
    again and again: a shopper's product is resolved two or three times per message (the form's
    validation, the question, the answer) and shoppers ask for the same products, while the
    spelling fallback compares the text with every title (about a millisecond per 150 titles).
    Answers are kept for the titles they were worked out from only: when the catalog's titles
    differ from those (a product added, renamed or removed), every kept answer is dropped first.
    """

    SIZE = 4096

    def __init__(self) -> None:
        self._titles: tuple[tuple[int, str], ...] = ()
        self._answers: OrderedDict[str, Optional[int]] = OrderedDict()
        self._lock = threading.Lock()  # store calls run on several worker threads

    def answer(self, titles: list[tuple[int, str]], wanted: str) -> Optional[int]:
        key = tuple(titles)
        with self._lock:
            if key == self._titles and wanted in self._answers:
                self._answers.move_to_end(wanted)
                return self._answers[wanted]
        chosen = _closest_title(titles, wanted)
        with self._lock:
            if key != self._titles:
                self._titles, self._answers = key, OrderedDict()
            self._answers[wanted] = chosen
            while len(self._answers) > self.SIZE:
                self._answers.popitem(last=False)
        return chosen


_title_answers = _TitleAnswers()


def closest_title(titles: list[tuple[int, str]], wanted: str) -> Optional[int]:
    """The id whose title is ``wanted`` (first by id), else the shortest title containing every
    word of it, else the closest spelling (difflib, cutoff 0.6); None when nothing is close.

    ``titles`` are ``(id, title)`` pairs in the catalog's order (answers are kept per list of
    titles, :class:`_TitleAnswers`).
    """
    return _title_answers.answer(titles, wanted)


def _closest_title(titles: list[tuple[int, str]], wanted: str) -> Optional[int]:
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
