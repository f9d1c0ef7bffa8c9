"""A short follow-up asks the question just answered again, about something else.

After a size recommendation, "and the Chelsea Boot?" or "same for the zip hoodie?" asks for that
product's size; after a stock answer, "how about in black?" asks for the same product in black.
Alone, these messages read to the classifier as a product search or as a bare answer
(``inform``); what the assistant last said tells what they ask. The shipping form's "and to
Texas?" is the same idea for destinations (:func:`actions.fallback.another_destination`), and
"and for sale items?" or "what about swimwear?" after the return policy for its parts
(:func:`return_policy_again`).

Only a follow-up counts: a message that opens like one ("and", "what about", "same for") or is
a few words long, naming what the question is about (a product or category for sizes; a
product, colour or size for stock), right after the answer (the bot's messages since the
shopper's previous message). Anything longer is a new request and is answered as one.

A stock follow-up about the same product changes only what it names: after "the Chelsea Boot in
size 10?", "and in black?" or "do you have it in black" asks for size 10 in black
(:func:`earlier_stock_question`), while a question that names a product again starts afresh.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional, Set, Tuple

from rasa_sdk import Tracker

from actions.questions import responses_since_shopper_spoke

SIZE_ANSWERS = frozenset(
    {
        "utter_size_recommendation_measurements",
        "utter_size_recommendation_usual",
        "utter_size_chart_for_product",
        "utter_size_no_recommendation",
    }
)
STOCK_ANSWERS = frozenset(
    {
        "utter_stock_in_stock",
        "utter_stock_overview",
        "utter_stock_sold_out",
        "utter_stock_not_offered",
        "utter_stock_product_sold_out",
        "utter_stock_alternative",
        "utter_stock_no_alternative",
    }
)
FOLLOW_UPS = (
    (SIZE_ANSWERS, frozenset({"product", "category"}), "sizing_form"),
    (STOCK_ANSWERS, frozenset({"product", "color", "size"}), "stock_form"),
)
"""(answers just given, entities a follow-up names, the form that asks the question again)."""

RETURN_POLICY_ANSWERS = frozenset(
    {
        "utter_return_policy",
        "utter_return_policy_no_final_sale_categories",
        "utter_return_policy_sale",
        "utter_return_policy_returnable",
        "utter_return_policy_final_sale",
    }
)
"""The return policy's answers (:class:`actions.returns.ActionReturnPolicy`); not the gift return
rule, which also ends the gift finder's answer ("do you gift wrap?" after it asks no policy)."""
SALE_ITEMS = re.compile(
    r"\b(?:on sale|sale (?:items?|stuff|things|products?|prices?)|clearance|discounted|reduced"
    r"|marked down|outlet|final[- ]sale)\b",
    re.IGNORECASE,
)
"""Words of a question about items bought at a reduced price."""
GIFTS = re.compile(r"\b(?:gift(?:s|ed)?|presents?)\b", re.IGNORECASE)
"""Words of a question about a present (its recipient returns it)."""

STOCK_ANSWERED_BY = "action_product_stock"
STOCK_QUESTION = ("product", "size", "color")
"""The slots one stock answer was for."""

SHORT_FOLLOW_UP_WORDS = 4
_OPENS_A_FOLLOW_UP = re.compile(
    r"^\W*(?:ok(?:ay)?\W+|right\W+|cool\W+|thanks\W+)?"
    r"(?:and|what about|how about|what of|same for|same (?:thing|question) for|also|or|then)\b",
    re.IGNORECASE,
)


_POINTS_BACK = re.compile(r"\b(?:it|them|those|these|that one|this one|the same)\b", re.IGNORECASE)
"""Words that point back at the product just answered for ("do you have it in black")."""


def is_follow_up(text: str) -> bool:
    """Whether ``text`` reads as a follow-up rather than a request of its own."""
    return bool(_OPENS_A_FOLLOW_UP.search(text[:200])) or len(text.split()) <= SHORT_FOLLOW_UP_WORDS


def same_question_again(tracker: Tracker) -> Optional[str]:
    """The form that asks the question just answered again for what the follow-up names, or None."""
    latest = tracker.latest_message or {}
    if (tracker.active_loop or {}).get("name") or not is_follow_up(str(latest.get("text") or "")):
        return None
    named = {str(e.get("entity")) for e in latest.get("entities") or []}
    answered = responses_since_shopper_spoke(tracker)
    for answers, entities, form in FOLLOW_UPS:
        if answered & answers and named & entities:
            return form
    return None


def return_policy_again(tracker: Tracker) -> bool:
    """Whether the latest message asks the return policy again about what it names, right after
    the policy was given: "what about swimwear?", "and for sale items?", "and if it was a gift?"."""
    latest = tracker.latest_message or {}
    text = str(latest.get("text") or "")
    if (tracker.active_loop or {}).get("name") or not is_follow_up(text):
        return False
    if not responses_since_shopper_spoke(tracker) & RETURN_POLICY_ANSWERS:
        return False
    named = {str(e.get("entity")) for e in latest.get("entities") or []}
    return bool(named & {"product", "category"} or SALE_ITEMS.search(text) or GIFTS.search(text))


def earlier_stock_question(tracker: Tracker) -> Dict[str, Any]:
    """The product, size and colour of the stock answer just given, when the latest message follows
    it up without naming a product ("and in black?", "what about a 9"), else ``{}``.

    Read from the conversation's events: the slots as they were each time ``action_product_stock``
    ran (the answer clears size and colour afterwards), each follow-up's answer completed by the
    answer before it, so "and in black?" then "in a 9?" asks for a black 9.
    """
    answered, latest, responses = _stock_answers(tracker)
    return answered if latest is not None and _follows_up_on_stock(latest, responses) else {}


def stock_question_just_answered(tracker: Tracker) -> Dict[str, Any]:
    """The product, size and colour of the stock answer given right before the latest message
    (whatever that message says), else ``{}``: "add it to my cart in medium" after "yes, the
    parka comes in navy" wants the navy one."""
    answered, latest, responses = _stock_answers(tracker)
    return answered if latest is not None and responses & STOCK_ANSWERS else {}


def completed(
    question: Dict[str, Any], product: Optional[str], size: Optional[str], color: Optional[str]
) -> Tuple[Optional[str], Optional[str]]:
    """``size`` and ``color``, each taken from the stock ``question`` when not given and the
    question was about ``product``."""
    if not question or question.get("product") != product:
        return size, color
    return size or question.get("size"), color or question.get("color")


def _stock_answers(tracker: Tracker) -> Tuple[Dict[str, Any], Optional[Dict[str, Any]], Set[str]]:
    """The question of the last stock answer before the latest message, that message's event, and
    the bot's responses between the shopper's previous message and it."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    values: Dict[str, Any] = {}
    answered: Dict[str, Any] = {}
    responses: Set[str] = set()
    following_up = False
    for event in events[: max(last_user, 0)]:
        kind = event.get("event")
        if kind == "user":
            following_up, responses = _follows_up_on_stock(event, responses), set()
        elif kind == "bot":
            responses.add(str((event.get("metadata") or {}).get("utter_action") or ""))
        elif kind == "slot" and event.get("name") in STOCK_QUESTION:
            values[event["name"]] = event.get("value")
        elif kind == "action" and event.get("name") == STOCK_ANSWERED_BY:
            asked = {k: v for k, v in values.items() if v is not None}
            if following_up and answered.get("product") == asked.get("product"):
                asked = {**answered, **asked}
            answered, following_up = asked, False
    return answered, (events[last_user] if last_user >= 0 else None), responses


def _follows_up_on_stock(user_event: Dict[str, Any], responses: Set[str]) -> bool:
    """Whether a shopper's message follows up a stock answer (among ``responses``, the bot's
    messages before it) without naming a product."""
    text = str(user_event.get("text") or "")
    entities = (user_event.get("parse_data") or {}).get("entities") or []
    names_a_product = any(e.get("entity") == "product" for e in entities)
    return (
        bool(responses & STOCK_ANSWERS)
        and not text.startswith("/")
        and not names_a_product
        and (is_follow_up(text) or bool(_POINTS_BACK.search(text[:200])))
    )
