"""Recommend products for a free-text need: TF-IDF retrieval over the catalog, then hard filters.

"A warm jacket for winter walks, under $250" is matched against each product's title, type, tags,
description, material and fit notes (the catalog's own words, see ``store/sample/catalog.yaml``),
with the need's words widened by ``store/needs.yaml`` (``rain`` also looks for ``waterproof``).
Then the structured part of the need filters: a budget, a size and colour in stock, a category, and
who it is for (a product tagged ``for:women`` is never offered for "my brother").

The candidates (active products with their variants, copied out of the session as plain values)
and their TF-IDF index are read from the store once per catalog version
(:mod:`store.catalog_version`, bumped by imports, Shopify changes and ``python -m store stock set``)
and per engine, so a recommendation costs one primary-key look-up plus the ranking, and a product
added after the assistant was trained is recommendable as soon as its change bumps the version.
The catalog is the store's public data, the same for every shopper, so one snapshot serves all.
A change made in a transaction that is rolled back after a recommendation was computed inside it
can leave that transaction's view cached under the next version number; :func:`invalidate_index`
forgets every snapshot (tests that roll back use it).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core.budget import budget_from_text, without_budget
from store.catalog import category_name_matches
from store.catalog_version import catalog_version
from store.models import Product, Variant, money
from store.products import active_products, product_url
from store.sizes import colors_equal, size_sort_key, sizes_equal
from store.text import STOPWORDS, stem, words

NEEDS_FILE = Path(__file__).with_name("needs.yaml")
AUDIENCE_TAG = "for:"
"""``for:women`` / ``for:men``: who a product is cut for; untagged products suit anyone."""
TITLE_WEIGHT = 2
"""The title is repeated in a product's document: a need naming the product's kind counts most."""
ATTRIBUTE_BONUS = 0.1
"""Added to the text similarity per attribute the need asked for and the product has, so that
"insulated boots" puts an insulated boot above a boot whose short title merely says "boot"."""


@dataclass(frozen=True)
class Recommendation:
    """A product that fits the need, the in-stock variant offered first, and why it fits."""

    handle: str
    title: str
    category: Optional[str]
    price: Decimal
    colors: tuple[str, ...]
    sizes_in_stock: tuple[str, ...]
    reasons: tuple[str, ...]
    """The product's own attribute tags that the need asked for, in the catalog's order."""
    material: str
    url: str
    variant_id: int
    variant_sku: str
    cart_variant_id: int
    """The variant's id in the store's cart (its Shopify id when the store is connected)."""
    score: float


@dataclass(frozen=True)
class Vocabulary:
    """``store/needs.yaml``: need words widened to attribute words, audience words, ignored words,
    and the categories a kind word names."""

    expansions: dict[str, tuple[str, ...]]
    audiences: dict[str, str]
    ignored: frozenset[str]
    kinds: dict[str, tuple[str, ...]]
    attributes: frozenset[str]
    """Every attribute tag a need word may ask for (``waterproof``, ``gift-friendly``), as written."""
    interests: tuple[str, ...]
    """The attribute tags a vague need is asked about (``hiking``, ``yoga``), as written."""


@lru_cache(maxsize=1)
def needs_vocabulary() -> Vocabulary:
    """The tuning file, read once; every word is stemmed like the catalog's words."""
    spec = yaml.safe_load(NEEDS_FILE.read_text(encoding="utf-8"))
    expansions = {stem(k): tuple(tokens(" ".join(v))) for k, v in spec["expansions"].items()}
    audiences = {stem(word): audience for audience, names in spec["audiences"].items() for word in names}
    ignored = frozenset(stem(w) for w in spec["ignored"]) | STOPWORDS
    kinds = {stem(form): tuple(v) for k, v in spec["kinds"].items() for form in (k, k + "s")}
    attributes = frozenset(tag for v in spec["expansions"].values() for tag in v)
    interests = tuple(spec.get("interests") or ())
    return Vocabulary(expansions, audiences, ignored, kinds, attributes, interests)


def best_for(tags: Sequence[str]) -> tuple[str, ...]:
    """A product's attribute tags (what it is good for), not its merchandising or category tags."""
    attributes = needs_vocabulary().attributes
    return tuple(tag for tag in tags if tag in attributes)


def tokens(text: str) -> list[str]:
    """The stemmed words of ``text``, as both the index and the query see them."""
    return [stem(w) for w in words(text)]


def tag_text(tag: str) -> str:
    """What a tag says: ``gift-friendly`` -> ``gift friendly``; ``material:merino wool`` -> its value."""
    value = tag.split(":", 1)[1] if ":" in tag else tag
    return value.replace("-", " ")


@dataclass(frozen=True)
class Offer:
    """A variant as the ranker needs it, detached from any session."""

    id: int
    cart_id: int
    sku: str
    size: Optional[str]
    color: Optional[str]
    price: Decimal
    in_stock: int
    position: int

    @classmethod
    def of(cls, variant: Variant) -> Offer:
        cart_id = variant.shopify_id or variant.id
        return cls(variant.id, cart_id, variant.sku, variant.size, variant.color, variant.price,
                   variant.inventory_quantity, variant.position)  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    """An active product as the ranker needs it, detached from any session (shared by every shopper)."""

    handle: str
    title: str
    category: Optional[str]
    vendor: str
    tags: tuple[str, ...]
    description: str
    url: str
    offers: tuple[Offer, ...]

    @classmethod
    def of(cls, session: Session, product: Product) -> Candidate:
        return cls(
            handle=product.handle,
            title=product.title,
            category=product.category.name if product.category else None,
            vendor=product.vendor or "",
            tags=tuple(product.tags or ()),
            description=product.description or "",
            url=product_url(session, product.handle),
            offers=tuple(Offer.of(v) for v in product.variants),
        )


def product_document(product: Candidate) -> str:
    """Every word a need may meet: title (weighted), type, vendor, tags, description and metafields."""
    tags = " ".join(tag_text(t) for t in product.tags if not t.startswith(AUDIENCE_TAG))
    title = [product.title] * TITLE_WEIGHT
    return " ".join([*title, product.category or "", product.vendor, tags, product.description])


@dataclass(frozen=True)
class CatalogIndex:
    """The active products at one catalog version and TF-IDF vectors of their documents."""

    version: int
    candidates: tuple[Candidate, ...]
    vectorizer: TfidfVectorizer
    matrix: object

    def scores(self, query: Sequence[str]) -> dict[str, float]:
        """Cosine similarity of the query words to every product, by handle."""
        if not self.candidates:
            return {}
        vector = self.vectorizer.transform([" ".join(query)])
        similarities = linear_kernel(vector, self.matrix)[0]
        return dict(zip((c.handle for c in self.candidates), (float(s) for s in similarities), strict=True))


_index_lock = threading.Lock()
_indexes: weakref.WeakKeyDictionary[Engine, CatalogIndex] = weakref.WeakKeyDictionary()
"""One snapshot per database (engine); an engine that is disposed of and dropped takes its own."""


def invalidate_index() -> None:
    """Forget every snapshot; the next recommendation reads the catalog again."""
    with _index_lock:
        _indexes.clear()


def build_index(session: Session, version: int) -> CatalogIndex:
    """Read the active products once and index them (seconds on a busy machine, hence the cache)."""
    candidates = tuple(Candidate.of(session, p) for p in active_products(session))
    vectorizer = TfidfVectorizer(analyzer=tokens, sublinear_tf=True)
    matrix = vectorizer.fit_transform([product_document(c) for c in candidates]) if candidates else None
    return CatalogIndex(version, candidates, vectorizer, matrix)


def catalog_index(session: Session) -> CatalogIndex:
    """The snapshot of the session's store at its current catalog version, built when it moved."""
    engine = session.get_bind()
    version = catalog_version(session)
    with _index_lock:
        cached = _indexes.get(engine)
        if cached is not None and cached.version == version:
            return cached
        index = build_index(session, version)
        _indexes[engine] = index
        return index


@dataclass(frozen=True)
class Need:
    """The words that rank (widened by the vocabulary), who the need is for (None: anyone), and the
    categories its kind words name (empty: any)."""

    query: tuple[str, ...]
    wanted: frozenset[str]
    audience: Optional[str]
    categories: tuple[str, ...]


def parse_need(text: str) -> Need:
    """Query words of ``text`` without its budget, ignored words and audience words, then widened."""
    vocabulary = needs_vocabulary()
    text = without_budget(text)
    audience = None
    query: list[str] = []
    categories: list[str] = []
    for word in tokens(text):
        if word in vocabulary.audiences:
            audience = audience or vocabulary.audiences[word]
        elif word not in vocabulary.ignored and not word[0].isdigit():
            query.append(word)
            query.extend(vocabulary.expansions.get(word, ()))
            categories.extend(vocabulary.kinds.get(word, ()))
    return Need(tuple(query), frozenset(query), audience, tuple(dict.fromkeys(categories)))


def suits(product: Candidate, audience: Optional[str]) -> bool:
    """Whether the product is cut for the audience (untagged products and an unknown audience: yes)."""
    cut_for = {t[len(AUDIENCE_TAG) :] for t in product.tags if t.startswith(AUDIENCE_TAG)}
    return not cut_for or audience is None or audience in cut_for


def _offered(
    product: Candidate,
    size: Optional[str],
    color: Optional[str],
    low: Optional[Decimal],
    high: Optional[Decimal],
) -> list[Offer]:
    """The product's in-stock variants in the size, colour and price range asked for."""
    return [
        v
        for v in product.offers
        if v.in_stock > 0
        and (not size or sizes_equal(v.size, size))
        and (not color or colors_equal(v.color, color))
        and (low is None or v.price >= low)
        and (high is None or v.price <= high)
    ]


def _reasons(product: Candidate, wanted: frozenset[str]) -> tuple[str, ...]:
    """The product's attribute tags whose words the need asked for (``waterproof``, ``gift-friendly``);
    a tag that only repeats the category (``boots``) is no reason."""
    category = set(tokens(product.category or ""))
    reasons = []
    for tag in product.tags:
        said = set(tokens(tag_text(tag)))
        if ":" not in tag and said and said <= wanted and not said <= category:
            reasons.append(tag)
    return tuple(reasons)


def _material(product: Candidate) -> str:
    return next((t.split(":", 1)[1] for t in product.tags if t.startswith("material:")), "")


def recommend(
    session: Session,
    *,
    need: str,
    size: Optional[str] = None,
    color: Optional[str] = None,
    category: Optional[str] = None,
    min_price: Optional[Decimal] = None,
    max_price: Optional[Decimal] = None,
    audience: Optional[str] = None,
    exclude: Sequence[str] = (),
    limit: int = 3,
) -> list[Recommendation]:
    """The best in-stock products for ``need``, at most ``limit``, best first (then cheapest).

    A budget in the text ("under $120") applies unless ``min_price``/``max_price`` are given; so
    does who it is for ("my sister") unless ``audience`` is. A need with words must share at least
    one with a product; a need with none ("something under 50") ranks bestsellers first.
    ``exclude`` skips handles already shown ("show more").
    """
    parsed = parse_need(need)
    budget = budget_from_text(need)
    if budget is not None and min_price is None and max_price is None:
        min_price, max_price = budget.min_price, budget.max_price
    audience = audience or parsed.audience
    low = money(min_price) if min_price is not None else None
    high = money(max_price) if max_price is not None else None
    index = catalog_index(session)
    scores = index.scores(parsed.query) if parsed.query else {}
    ranked = []
    for product in index.candidates:
        score = scores.get(product.handle, 0.0) if parsed.query else _bestseller(product)
        if (parsed.query and score <= 0) or product.handle in exclude or not suits(product, audience):
            continue
        if category and not _in_category(product, category):
            continue
        offered = _offered(product, size, color, low, high)
        if offered:
            score += ATTRIBUTE_BONUS * len(_reasons(product, parsed.wanted))
            ranked.append((score, offered, product))
    ranked = _of_the_kind_named(ranked, parsed.categories)
    ranked.sort(key=lambda r: (-r[0], min(v.price for v in r[1]), r[2].title))
    return [_recommendation(p, offered, parsed, score) for score, offered, p in ranked[:limit]]


def _bestseller(product: Candidate) -> float:
    """The score of a need without words ("something under 50"): bestsellers first."""
    return float("bestseller" in product.tags)


def _of_the_kind_named(ranked: list, categories: tuple[str, ...]) -> list:
    """The candidates in the categories the need named ("boots"), or all when none is."""
    named = [r for r in ranked if any(_in_category(r[2], c) for c in categories)]
    return named or ranked


def _in_category(product: Candidate, category: str) -> bool:
    return product.category is not None and category_name_matches(product.category, category)


def _recommendation(product: Candidate, offered: list[Offer], need: Need, score: float) -> Recommendation:
    first = min(offered, key=lambda v: (v.price, v.position))
    return Recommendation(
        handle=product.handle,
        title=product.title,
        category=product.category,
        price=first.price,
        colors=tuple(dict.fromkeys(v.color for v in offered if v.color)),
        sizes_in_stock=tuple(sorted({v.size for v in offered if v.size}, key=size_sort_key)),
        reasons=_reasons(product, need.wanted),
        material=_material(product),
        url=product.url,
        variant_id=first.id,
        variant_sku=first.sku,
        cart_variant_id=first.cart_id,
        score=round(score, 4),
    )
