"""The product finder: two or three in-stock products for a shopper's need, each with why it fits.

"A warm jacket for winter walks, under $250" is ranked by :func:`store.recommend.recommend` (the
catalog's words and attributes, a budget, a size and colour in stock). Each product is shown with
one line on why it fits, chosen from ``domain.yml`` templates by what the data holds (the
product's attribute tags that the need asked for, else its material) and its add-to-cart link
(:mod:`actions.cart_links`), then the next steps as the response's buttons: show more, compare
these, check my size, talk to a person; then what goes with each product (:mod:`actions.looks`).
A gift ("a present for my brother who cycles") gets the gift's next steps instead, with the gift
note and the gift return rules (:mod:`actions.gifts`).

The need and the products shown stay in slots: "show more" ranks the same need without what was
shown, "compare these" compares the products of the latest answer side by side, and "the second
one" points at one of them (:mod:`actions.finder_steps`). A message that only narrows the need
("something under 100", "any in red?") is added to it (:func:`refined_need`): the hiking gift
stays a hiking gift, now under 100.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.cart_links import cart_link
from actions.finder_questions import (
    CHOICES_SHOWN,
    INTEREST,
    QUESTION_SLOT,
    ask,
    asked_just_now,
    next_question,
    pending_need,
    tagged,
)
from actions.formatting import listing, money
from actions.gifts import is_gift, utter_gift_next
from actions.looks import look_buttons
from actions.questions import responses_since_shopper_spoke
from actions.references import pick, positions_named
from actions.store_access import query_store
from core import clock
from core.budget import budget_from_text, without_budget
from store.bundles import with_a_look
from store.catalog import get_product
from store.gifts import GiftOptions, gift_options
from store.info import store_info
from store.interests import interest_choices
from store.recommend import Recommendation, parse_need, recommend, tag_text
from store.recommendation_log import record_shown

SHOWN_AT_ONCE = 3
NEED_SLOT = "finder_need"
"""The shopper's need as they typed it (with its size and colour), ranked again for "show more"."""
SHOWN_SLOT = "recommended_products"
"""Every product handle shown for the need, so "show more" never repeats one."""
LATEST_SLOT = "latest_recommendations"
"""The handles of the latest answer: what "compare these" compares."""
FILTERS_SLOT = "finder_filters"
"""The need's size, colour and category (from the message's entities), kept for "show more"."""


def payload(intent: str, entities: Optional[Dict[str, Any]] = None) -> str:
    """A button payload that triggers ``intent`` (with entities) without the NLU."""
    return f"/{intent}{json.dumps(entities, separators=(',', ':'))}" if entities else f"/{intent}"


@dataclass(frozen=True)
class Found:
    """The products found for a need, the store's currency, and its gift options for a gift."""

    recommendations: List[Recommendation]
    currency: str
    gift: Optional[GiftOptions] = None
    with_a_look: Sequence[str] = ()
    """The handles of those recommended that something goes with (their look buttons)."""


def find_for_need(
    session: Session,
    *,
    conversation_id: str,
    need: str,
    size: Optional[str] = None,
    color: Optional[str] = None,
    category: Optional[str] = None,
    exclude: Sequence[str] = (),
) -> Found:
    """The best products for the need not yet shown (recorded as shown), with what to say next."""
    found = recommend(
        session, need=need, size=size, color=color, category=category, exclude=exclude, limit=SHOWN_AT_ONCE
    )
    record_shown(session, conversation_id=conversation_id, need=need, shown=found, now=clock.now())
    gift = gift_options(session) if found and is_gift(need) else None
    looks = with_a_look(session, handles=[rec.handle for rec in found]) if found else []
    return Found(found, store_info(session).currency, gift, looks)


def utter_recommendations(dispatcher: CollectingDispatcher, tracker: Tracker, found: Found) -> None:
    """An intro, one message per product with why it fits and its add-to-cart link, the next
    steps as buttons (a gift's own), then what goes with the products something goes with."""
    dispatcher.utter_message(response="utter_finder_intro")
    for rec in found.recommendations:
        dispatcher.utter_message(
            response=why_response(rec), title=rec.title, price=money(rec.price, found.currency),
            reasons=listing(tag_text(r) for r in rec.reasons), material=rec.material,
            in_stock=listing(rec.sizes_in_stock or rec.colors), url=rec.url,
            cart_url=cart_link(tracker, rec.handle, rec.variant_sku, rec.cart_variant_id),
        )  # fmt: skip
    if found.gift is not None:
        utter_gift_next(dispatcher, found.recommendations, found.gift)
    else:
        dispatcher.utter_message(response="utter_finder_next")  # its buttons: more, compare, size, person
    looks = [(rec.handle, rec.title) for rec in found.recommendations if rec.handle in found.with_a_look]
    if looks:
        dispatcher.utter_message(response="utter_look_offer", buttons=look_buttons(looks))


def why_response(rec: Recommendation) -> str:
    """The template for why a product fits: the attributes the need asked for, else its material."""
    if rec.reasons:
        return "utter_finder_pick_because"
    return "utter_finder_pick_material" if rec.material else "utter_finder_pick"


def shown_events(need: str, shown: Sequence[str], latest: Sequence[Recommendation]) -> List[EventType]:
    """The need, every product shown for it and the latest ones; no question is pending."""
    handles = [rec.handle for rec in latest]
    return [
        SlotSet(NEED_SLOT, need),
        SlotSet(SHOWN_SLOT, [*shown, *handles]),
        SlotSet(LATEST_SLOT, handles),
        SlotSet(QUESTION_SLOT, None),
    ]


FILTERS = ("size", "color", "category")
"""The search filters (from the message's entities) that the finder keeps for "show more"."""


def kept_filters(filters: Dict[str, Any]) -> Dict[str, Any]:
    """The search filters the finder keeps for the need (:data:`FILTERS`), without the budget."""
    return {k: v for k, v in filters.items() if k in FILTERS}


NARROWING = ("size", "color")
"""The entities a message may name and still only narrow the need it follows ("any in red?")."""


RECOMMENDED = frozenset(
    {"utter_finder_intro", "utter_finder_next", "utter_finder_gift_next", "utter_finder_gift_next_sized"}
)
"""The finder's answer: a message right after it is about the products it showed."""
REFINING_MAX_WORDS = 5
"""Words of its own narrow the need only in a short message right after the products ("for hiking")."""


def refined_need(tracker: Tracker, text: str, *, words_too: bool = False) -> Optional[str]:
    """The earlier need with the latest message added when the message only narrows it, else None.

    A budget, a colour or a size narrows it ("something under 100", "any in red?", "ok but in a
    medium"); a new budget replaces the earlier need's. With ``words_too``, so do a few words of
    their own right after the products were shown ("for hiking", "waterproof ones", "for my
    sister"). A message naming a kind of product ("boots under 100") is a need of its own.
    """
    previous = str(tracker.get_slot(NEED_SLOT) or "")
    if not previous or not text or text.startswith("/"):
        return None
    entities = (tracker.latest_message or {}).get("entities") or []
    if any(e.get("entity") in ("category", "product") for e in entities):
        return None
    narrowing = [e for e in entities if e.get("entity") in NARROWING]
    budget = budget_from_text(text)
    rest = text
    for found in sorted(narrowing, key=lambda e: e.get("start") or 0, reverse=True):
        start, end = found.get("start"), found.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(rest):
            rest = rest[:start] + " " + rest[end:]
    words = parse_need(rest)
    if words.categories:
        return None
    if words.query or words.audience:
        short = len(text.split()) <= REFINING_MAX_WORDS
        if not (words_too and short and responses_since_shopper_spoke(tracker) & RECOMMENDED):
            return None
    elif budget is None and not narrowing:
        return None
    if budget is not None:  # a new budget replaces the earlier one
        previous = without_budget(previous)
    return " ".join(f"{previous} {text}".split())


CHEAPER = re.compile(
    r"\b(cheaper|less expensive|lower[- ]priced|more affordable|too (expensive|pricey|much))\b", re.IGNORECASE
)
"""A need narrowed by price without a number: below the cheapest product just shown."""


def lowest_price_shown(session: Session, *, handles: Sequence[str]) -> Optional[Decimal]:
    """The lowest price of the products just shown that are still in the catalog, if any."""
    details = (get_product(session, product=handle) for handle in handles)
    prices = [detail.price_from for detail in details if detail is not None]
    return min(prices) if prices else None


async def cheaper_need(tracker: Tracker, need: str, text: str) -> str:
    """The need with a budget below the cheapest product just shown when ``text`` asks for
    something cheaper without a number ("anything cheaper?"), else the need as it is."""
    if not CHEAPER.search(text) or budget_from_text(text) is not None:
        return need
    lowest = await query_store(lowest_price_shown, handles=list(tracker.get_slot(LATEST_SLOT) or []))
    if lowest is None:
        return need
    return " ".join(f"{without_budget(need)} under {lowest - Decimal('0.01')}".split())


@dataclass(frozen=True)
class NeedAnswer:
    """The events of the products shown or the question asked (``None``: nothing in stock fits)."""

    events: Optional[List[EventType]]


async def answer_need(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    need: str,
    filters: Dict[str, Any],
    asked: Sequence[str] = (),
) -> NeedAnswer:
    """Recommend for a need, ask one short question first when it is too vague
    (:mod:`actions.finder_questions`), or nothing when nothing in stock fits.

    ``filters`` are the search's (entities and budget); ``asked`` the questions already asked
    for the need. "Show more" after a question ranks the need as it is.
    """
    kept = kept_filters(filters)
    fitting = await query_store(recommend, need=need, limit=SHOWN_AT_ONCE, **kept)
    if not fitting:
        return NeedAnswer(None)
    question = next_question(need, filters, asked, tagged=tagged(fitting))
    if question is not None:
        choices = []
        if question == INTEREST:
            choices = await query_store(interest_choices, need=need, limit=CHOICES_SHOWN)
        asking = ask(dispatcher, need, question, choices, asked)
        return NeedAnswer([*shown_events(need, (), []), SlotSet(FILTERS_SLOT, kept or None), *asking])
    found = await query_store(find_for_need, conversation_id=tracker.sender_id, need=need, **kept)
    utter_recommendations(dispatcher, tracker, found)
    return NeedAnswer([*shown_events(need, (), found.recommendations), SlotSet(FILTERS_SLOT, kept or None)])


async def answer_typed(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[EventType]]:
    """A typed answer to the finder's question just asked that the NLU could not place ("for the
    office"): added to the need and answered; ``None`` when no question was just asked or nothing
    fits the need with the answer."""
    question = tracker.get_slot(QUESTION_SLOT)
    text = str(tracker.latest_message.get("text") or "")
    if not question or text.startswith("/") or not asked_just_now(tracker):
        return None
    need, asked = pending_need(question, text)
    return (await answer_need(dispatcher, tracker, need, {}, asked)).events


POINTING_MAX_WORDS = 8
"""A message pointing at one product just shown is short ("tell me more about the second one")."""


def one_product_pointed_at(tracker: Tracker) -> Optional[str]:
    """The handle of the one product just recommended that a short message points at by position
    ("the second one", "what about the last one", "number 2 in large"), else None.

    A budget ("the first one but under 50") is a new need, not a pointer."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if not text or text.startswith("/") or len(text.split()) > POINTING_MAX_WORDS or budget_from_text(text):
        return None
    picked = pick([str(h) for h in tracker.get_slot(LATEST_SLOT) or []], positions_named(text))
    return picked[0] if len(picked) == 1 else None
