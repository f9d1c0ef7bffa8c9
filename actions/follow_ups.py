"""What else a message asks about an order, beyond the question an informational answer covers.

Shoppers put two requests in one message ("where's order 1001, and do you ship to Canada?") and
come back to an order they verified a moment ago with a pronoun ("can I send it back?"). The
answering actions (shipping, return policy) answer their own question, then hand the rest to
the order's flow with a ``FollowupAction``, so nothing the shopper asked is dropped and the
order they already proved is not asked for again. Inside a running form these actions are
digressions and never start another flow.
"""

from __future__ import annotations

import re
from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction

from actions.order_verification import order_in_context

POINTING_BACK = frozenset({"it", "them", "they", "this", "these", "that", "those"})
"""Words that point at something said before: with an order in context, the order (or its items)."""
ABOUT_THE_POLICY = frozenset({"policy", "policies", "rules", "usually", "generally"})
"""Words that make a return question about the store's rules, whatever order is in context."""

_WORD = re.compile(r"[a-z]+")


def _words(tracker: Tracker) -> set:
    return set(_WORD.findall(str((tracker.latest_message or {}).get("text") or "").lower()))


def _in_a_flow(tracker: Tracker) -> bool:
    return bool((tracker.active_loop or {}).get("name"))


def order_named_too(tracker: Tracker) -> List[EventType]:
    """Look the order up next when the message also named an order number (outside any flow).

    The ``order_number`` entity already filled its slot, so the order status form starts at the
    contact question.
    """
    entities = (tracker.latest_message or {}).get("entities") or []
    if _in_a_flow(tracker) or not any(e.get("entity") == "order_number" for e in entities):
        return []
    return [FollowupAction("order_status_form")]


def return_of_order_in_context(tracker: Tracker) -> List[EventType]:
    """Start the return of the verified order when a return question points back at it.

    The return form re-checks that order, says whether it can go back and asks which items.
    """
    words = _words(tracker)
    if _in_a_flow(tracker) or not order_in_context(tracker):
        return []
    if not words & POINTING_BACK or words & ABOUT_THE_POLICY:
        return []
    return [FollowupAction("return_form")]


DESTINATION_ENTITIES = frozenset({"country", "region", "postal_code"})
ABOUT_AN_ORDER = frozenset({"order", "parcel", "package", "delivery", "shipment", "stuff"})
"""Words that make a "when will ... arrive" question about something bought, not about shipping times."""


def delivery_of_order_in_context(tracker: Tracker) -> bool:
    """Whether a delivery question ("when will it arrive?") is about the verified order.

    True when an order is in context, the message names no destination (a destination makes it
    a question about shipping there) and it points back at the order or what was in it ("it",
    "them", "my parcel"). Such a question is answered with that order's own delivery, never
    with the store's shipping times and a question about the country.
    """
    if not order_in_context(tracker):
        return False
    entities = (tracker.latest_message or {}).get("entities") or []
    if any(e.get("entity") in DESTINATION_ENTITIES for e in entities):
        return False
    words = _words(tracker)
    if words & ABOUT_THE_POLICY:
        return False
    return bool(words & (POINTING_BACK | ABOUT_AN_ORDER))


def delivery_of_order_in_context_follow_up(tracker: Tracker) -> List[EventType]:
    """Answer with the verified order's status (its delivery date) when the question is about it."""
    if _in_a_flow(tracker) or not delivery_of_order_in_context(tracker):
        return []
    return [FollowupAction("order_status_form")]
