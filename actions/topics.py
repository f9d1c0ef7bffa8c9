"""A short follow-up asks the question just answered again, about something else.

After a size recommendation, "and the Chelsea Boot?" or "same for the zip hoodie?" asks for that
product's size; after a stock answer, "how about in black?" asks for the same product in black.
Alone, these messages read to the classifier as a product search or as a bare answer
(``inform``); what the assistant last said tells what they ask. The shipping form's "and to
Texas?" is the same idea for destinations (:func:`actions.fallback.another_destination`).

Only a follow-up counts: a message that opens like one ("and", "what about", "same for") or is
a few words long, naming what the question is about (a product or category for sizes; a
product, colour or size for stock), right after the answer (the bot's messages since the
shopper's previous message). Anything longer is a new request and is answered as one.
"""

from __future__ import annotations

import re
from typing import Optional

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

SHORT_FOLLOW_UP_WORDS = 4
_OPENS_A_FOLLOW_UP = re.compile(
    r"^\W*(?:ok(?:ay)?\W+|right\W+|cool\W+|thanks\W+)?"
    r"(?:and|what about|how about|what of|same for|same (?:thing|question) for|also|or|then)\b",
    re.IGNORECASE,
)


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
