"""Two or three products named in one question are answered side by side.

"How does the Harbor Rain Shell compare with the Packable Down Vest?" carries one ``product``
entity per name (the catalog extractor); a search for the first name alone would describe only
that one. Each named product gets the same facts, in the order the shopper named them: price
range, colours, sizes in stock, its fit (the product's own, else its size chart's), what it is made
of (the material metafield) and what it is best for (its attribute tags, ``store/needs.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Sequence

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.formatting import listing, price_range
from store.catalog import ProductDetail, get_product
from store.info import store_info
from store.products import resolve_product
from store.recommend import best_for, tag_text
from store.sizes import size_sort_key
from store.sizing import product_fit

COMPARED_AT_MOST = 3


def named_products(tracker: Tracker, limit: int = COMPARED_AT_MOST) -> List[str]:
    """The distinct ``product`` entity values of the latest message, in the order they were named."""
    entities = sorted(
        (e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "product"),
        key=lambda e: e.get("start") or 0,
    )
    values = list(dict.fromkeys(str(e["value"]) for e in entities if e.get("value")))
    return values[:limit]


@dataclass(frozen=True)
class Compared:
    """One product's details, fit (``runs_small``, ``true_to_size`` or ``runs_large``), material
    and the attribute tags that say what it is best for."""

    detail: ProductDetail
    fit: str
    material: str = ""
    best_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """The products found (unknown names dropped) and the store's currency."""

    products: List[Compared]
    currency: str


def compare_products(session: Session, *, products: Sequence[str]) -> Comparison:
    """Each named product's details, once per product even when named twice in other words."""
    found: dict[str, Compared] = {}
    for name in products:
        detail, product = get_product(session, product=name), resolve_product(session, name)
        if detail is not None and product is not None:
            tags = list(product.tags or ())
            material = next((t.split(":", 1)[1] for t in tags if t.startswith("material:")), "")
            compared = Compared(detail, product_fit(session, product), material, best_for(tags))
            found.setdefault(detail.handle, compared)
    return Comparison(list(found.values()), store_info(session).currency)


def utter_comparison(dispatcher: CollectingDispatcher, comparison: Comparison) -> None:
    """An intro, then per product its facts and its fit."""
    dispatcher.utter_message(response="utter_product_compare_intro")
    for compared in comparison.products:
        product = compared.detail
        in_stock = sorted({v.size for v in product.variants if v.size and v.available}, key=size_sort_key)
        dispatcher.utter_message(
            response="utter_product_compare_item" if in_stock else "utter_product_compare_item_sold_out",
            title=product.title, price=price_range(product.price_from, product.price_to, comparison.currency),
            colors=listing(product.colors), sizes=listing(in_stock), url=product.url,
        )  # fmt: skip
        dispatcher.utter_message(response=f"utter_product_compare_fit_{compared.fit}", product=product.title)
        if compared.material:
            dispatcher.utter_message(response="utter_product_compare_material", material=compared.material)
        if compared.best_for:
            best = listing(tag_text(tag) for tag in compared.best_for)
            dispatcher.utter_message(response="utter_product_compare_best_for", best_for=best)
