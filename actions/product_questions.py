"""Questions about one product's details: material, care, water resistance, dimensions, weight,
origin, contents, fit notes ("is the hoodie machine washable?", "what is the rain shell made of").

Asked as ``product_search`` with a product named (or "this"/"it" with a product page open, or a
product asked about before); answered from the store's data only (:mod:`store.product_facts`),
one reply per product the name could mean. When the store has not listed the fact, the reply says
so and offers a person (``handoff_reason=product_question``), never a guess. A question about the
store's products in general ("where are your clothes made?") is answered the same way for the
store. A message that names a quality without asking about a product ("something waterproof") is
a search, and is left to the search.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.finder import LATEST_SLOT
from actions.formatting import listing, number, price_range
from actions.page_context import page_product
from actions.references import pick, positions_named
from actions.store_access import query_store
from store.catalog import ProductDetail, get_product
from store.codes import HandoffReason
from store.info import store_info
from store.product_facts import (
    DESCRIPTION,
    METAFIELD,
    TAG,
    WEIGHT,
    ProductFact,
    asked_attribute,
    product_fact,
)

MAX_PRODUCTS = 3
"""A name that fits several products ("the hoodie") is answered for this many of them."""
REFERS_BACK = re.compile(r"\b(this|that|it|its|these|those|they|them|this one|that one)\b", re.IGNORECASE)
"""A message about the product on screen or the one just talked about."""
ASKS = re.compile(
    r"\?|^\W*(is|are|does|do|did|can|could|will|would|should|what|whats|wat|how|hw|where|which|who|r)\b"
    r"|\b(wonder\w*|tell me|know|what.?s|what is|how (much|many|big|heavy|do|does|should)|care instructions"
    r"|dimensions|measurements|made (of|from|in))\b",
    re.IGNORECASE,
)
"""A question, not a need: "is the hoodie washable", "care instructions for the scarf?" (a need
such as "a waterproof jacket like the rain shell" goes to the search and the finder)."""
STORE_WIDE = re.compile(r"\b(your|you guys|the store|the brand|all)\b", re.IGNORECASE)
"""A question about the store's products in general ("where are your clothes made")."""

PRICE = re.compile(r"\b(how much|price[sd]?|pricing|cost(s|ing)?|what.?s it go(ing)? for)\b", re.IGNORECASE)
"""A question about what a product costs ("how much is it?", "price of the rain shell?")."""
NOT_THE_PRODUCT = re.compile(
    r"\b(ship\w*|deliver\w*|postage|post|return\w*|refund\w*|duty|duties|tax\w*)\b", re.I
)
"""What else "how much" asks about: shipping, returns, taxes (their own flows answer)."""

RESPONSES = {
    METAFIELD: "utter_product_fact_listed",
    TAG: "utter_product_fact_tagged",
    DESCRIPTION: "utter_product_fact_described",
}


def _entities(tracker: Tracker, name: str) -> List[Dict[str, Any]]:
    return [e for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") == name]


def asked_products(tracker: Tracker) -> List[str]:
    """The products the message names: every catalog product a loose name fits ("hoodie"), else
    those it points at among the products just recommended ("the second one"), else the product
    on screen or talked about when the message refers back to it."""
    names: List[str] = []
    for entity in _entities(tracker, "product"):
        candidates = (entity.get("additional_info") or {}).get("candidates") or [entity.get("value")]
        names += [str(c) for c in candidates if c and str(c) not in names]
    if names:
        return names[:MAX_PRODUCTS]
    text = str((tracker.latest_message or {}).get("text") or "")
    pointed = pick([str(h) for h in tracker.get_slot(LATEST_SLOT) or []], positions_named(text))
    if pointed:  # "how much is the second one?" after recommendations
        return pointed[:MAX_PRODUCTS]
    if REFERS_BACK.search(text):
        context = page_product(tracker) or tracker.get_slot("product")
        if context:
            return [str(context)]
    return []


def weight_text(grams: int) -> str:
    """``850 g`` or ``1.4 kg``."""
    return f"{grams} g" if grams < 1000 else f"{number(round(grams / 1000, 1))} kg"


def utter_fact(dispatcher: CollectingDispatcher, fact: ProductFact) -> None:
    """The store's words for the fact, or that it has none."""
    if fact.source is None:
        dispatcher.utter_message(response="utter_product_fact_unknown", product=fact.title, label=fact.label)
    elif fact.source == WEIGHT:
        low, high = fact.grams
        if low == high:
            dispatcher.utter_message(
                response="utter_product_fact_weight", product=fact.title, weight=weight_text(low)
            )
        else:
            dispatcher.utter_message(
                response="utter_product_fact_weight_range",
                product=fact.title, lightest=weight_text(low), heaviest=weight_text(high),
            )  # fmt: skip
    else:
        value = " ".join(fact.values) if fact.source == DESCRIPTION else listing(fact.values)
        dispatcher.utter_message(
            response=RESPONSES[fact.source], product=fact.title, label=fact.label, value=value
        )


def _priced(session: Session, *, product: str) -> Optional[Tuple[ProductDetail, str]]:
    detail = get_product(session, product=product)
    return None if detail is None else (detail, store_info(session).currency)


def asks_the_price(tracker: Tracker) -> bool:
    """Whether the latest message asks what one product costs: named, on screen or talked about
    ("how much is it?" right after a stock answer), not what shipping, returns or taxes cost."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if (
        text.startswith("/")
        or not PRICE.search(text)
        or not ASKS.search(text)
        or NOT_THE_PRODUCT.search(text)
    ):
        return False
    return len(asked_products(tracker)) == 1


async def answer_price_question(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> Optional[List[EventType]]:
    """What one product costs, named or the one on screen or talked about ("how much is it?"),
    with the sizes in stock; None when the message asks no such thing (several products: the
    search lists each with its price)."""
    if not asks_the_price(tracker):
        return None
    priced = await query_store(_priced, product=asked_products(tracker)[0])
    if priced is None:
        return None
    detail, currency = priced
    in_stock = [v for v in detail.variants if v.available]
    sizes = [size for size in detail.sizes if any(v.size == size for v in in_stock)]
    dispatcher.utter_message(
        response="utter_product_price" if in_stock else "utter_product_price_sold_out",
        product=detail.title, price=price_range(detail.price_from, detail.price_to, currency),
        sizes=listing(sizes) if sizes else "every size", url=detail.url,
    )  # fmt: skip
    return [SlotSet("product", detail.handle)]


async def answer_product_question(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> Optional[List[EventType]]:
    """Answer a question about a product's details; None when the message is not one (a search)."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if text.startswith("/"):
        return None
    attribute = asked_attribute(text)
    if attribute is None or not ASKS.search(text):
        return None
    products = asked_products(tracker)
    if not products:
        if REFERS_BACK.search(text) and not STORE_WIDE.search(text):
            dispatcher.utter_message(response="utter_product_fact_which")  # "is this jacket waterproof"
            return []
        if STORE_WIDE.search(text) and not _entities(tracker, "category"):
            dispatcher.utter_message(response="utter_product_fact_store_unknown", label=attribute.label)
            return [SlotSet("handoff_reason", HandoffReason.PRODUCT_QUESTION.value)]
        return None  # "waterproof jackets?", "are your boots waterproof": a search shows them
    facts = [await query_store(product_fact, product=name, attribute=attribute.name) for name in products]
    known = [fact for fact in facts if fact is not None]
    if not known:
        return None  # no such product after all: the search says what the store has
    for fact in known:
        utter_fact(dispatcher, fact)
    events: List[EventType] = []
    if len(known) == 1:
        events.append(SlotSet("product", known[0].handle))
    if any(fact.source is None for fact in known):
        events.append(SlotSet("handoff_reason", HandoffReason.PRODUCT_QUESTION.value))
    return events
