"""Facts about one product for a shopper's question ("is the hoodie machine washable?").

The question is read against ``store/product_questions.yaml`` (which attribute: material, care,
water resistance, dimensions, weight, origin, contents, fit notes) and answered only from the
store's own data, in this order: the product's metafields (imported as ``key:value`` tags), its
attribute tags (``waterproof``), the sentences of its description about the attribute, and for
weight its variants' shipping weights. When none holds the fact the answer says so
(:attr:`ProductFact.source` is ``None``): the assistant never guesses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml
from sqlalchemy.orm import Session

from store.models import Product
from store.products import resolve_product

QUESTIONS_FILE = Path(__file__).with_name("product_questions.yaml")

METAFIELD = "metafield"
TAG = "tag"
DESCRIPTION = "description"
WEIGHT = "weight"


@dataclass(frozen=True)
class Attribute:
    """One kind of product question and where the store keeps its answer."""

    name: str
    label: str
    asks: tuple[re.Pattern[str], ...]
    metafields: tuple[str, ...]
    tags: tuple[str, ...]
    description: tuple[str, ...]
    weight: bool


@dataclass(frozen=True)
class ProductFact:
    """What the store knows about one attribute of one product.

    ``source`` is ``metafield``, ``tag``, ``description`` or ``weight``, or ``None`` when the store
    has no such fact. ``values`` are the fact's words as the store wrote them (the tags found, the
    description's sentences); for weight, the lightest and heaviest variant in grams.
    """

    handle: str
    title: str
    attribute: str
    label: str
    source: Optional[str]
    values: tuple[str, ...] = ()
    grams: tuple[int, ...] = ()


@lru_cache(maxsize=1)
def attributes() -> tuple[Attribute, ...]:
    """The attributes of ``store/product_questions.yaml``, in the file's order."""
    data = yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8")) or {}
    found = []
    for name, spec in (data.get("attributes") or {}).items():
        found.append(
            Attribute(
                name=name,
                label=str(spec.get("label") or name),
                asks=tuple(re.compile(p, re.IGNORECASE) for p in spec.get("asks") or ()),
                metafields=tuple(str(k).lower() for k in spec.get("metafields") or ()),
                tags=tuple(str(t).lower() for t in spec.get("tags") or ()),
                description=tuple(str(w).lower() for w in spec.get("description") or ()),
                weight=bool(spec.get("weight")),
            )
        )
    return tuple(found)


def asked_attribute(text: str) -> Optional[Attribute]:
    """The attribute the shopper's message asks about, None when it asks about none."""
    for attribute in attributes():
        if any(pattern.search(text or "") for pattern in attribute.asks):
            return attribute
    return None


def attribute_named(name: str) -> Optional[Attribute]:
    """The attribute called ``name`` in the file."""
    return next((a for a in attributes() if a.name == name), None)


def _metafield_values(product: Product, keys: tuple[str, ...]) -> tuple[str, ...]:
    values = []
    for tag in product.tags or ():
        key, sep, value = str(tag).partition(":")
        if sep and key.strip().lower() in keys and value.strip():
            value = value.strip()
            values.append(value if " " in value else value.replace("-", " "))
    return tuple(values)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text or "") if s.strip()]


def _description_values(product: Product, words: tuple[str, ...]) -> tuple[str, ...]:
    found = []
    for sentence in _sentences(product.description or ""):
        lowered = sentence.lower()
        if any(re.search(rf"\b{re.escape(word)}\b", lowered) for word in words):
            found.append(sentence)
    return tuple(found)


def fact_of(product: Product, attribute: Attribute) -> ProductFact:
    """What ``product``'s data says about ``attribute`` (``source`` None when nothing)."""
    base = {
        "handle": product.handle,
        "title": product.title,
        "attribute": attribute.name,
        "label": attribute.label,
    }
    values = _metafield_values(product, attribute.metafields)
    if values:
        return ProductFact(**base, source=METAFIELD, values=values)
    tags = {str(t).strip().lower() for t in product.tags or ()}
    found = tuple(t for t in attribute.tags if t in tags)
    if found:
        return ProductFact(**base, source=TAG, values=found)
    values = _description_values(product, attribute.description)
    if values:
        return ProductFact(**base, source=DESCRIPTION, values=values)
    grams = sorted(v.grams for v in product.variants if v.grams)
    if attribute.weight and grams:
        return ProductFact(**base, source=WEIGHT, grams=(grams[0], grams[-1]))
    return ProductFact(**base, source=None)


def product_fact(session: Session, *, product: str, attribute: str) -> Optional[ProductFact]:
    """The fact about the product named (handle, title or close title); None for an unknown
    product or attribute."""
    wanted = attribute_named(attribute)
    found = resolve_product(session, product)
    if wanted is None or found is None or found.status != "active":
        return None
    return fact_of(found, wanted)
