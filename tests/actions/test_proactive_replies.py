"""Replies to proactive messages: the actions read the cart or product the message was about, and
the handoff context names the message that started the conversation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict

from actions.handoff_context import started_by
from actions.page_context import cart_lines, page_product, proactive_context
from store.discounts import CartLine
from tests.actions.order_support import whatsapp
from tests.support.trackers import make_tracker, tracker_from_events

CART_NUDGE: Dict[str, Any] = {
    "outbox_id": 7,
    "trigger": "cart_recovery",
    "channel": "whatsapp",
    "sent_at": "2026-12-02T14:02:00+00:00",
    "cart": [{"sku": "JKT-001-BLA0-M", "quantity": 1, "price": "189.00"}],
    "cart_id": 3,
    "product": "harbor-rain-shell",
}


def _user(text: str, metadata: Dict[str, Any]) -> Dict[str, Any]:
    parse = {"intent": {"name": "size_help", "confidence": 1.0}, "entities": [], "text": text}
    return {
        "event": "user",
        "text": text,
        "parse_data": parse,
        "metadata": metadata,
        "input_channel": "whatsapp",
    }


def test_a_reply_to_a_cart_nudge_has_the_cart_and_its_product() -> None:
    tracker = make_tracker(
        metadata={**whatsapp("+442079460321"), "proactive": CART_NUDGE}, input_channel="whatsapp"
    )
    assert proactive_context(tracker) == CART_NUDGE
    assert page_product(tracker) == "harbor-rain-shell"
    assert cart_lines(tracker) == [CartLine(sku="JKT-001-BLA0-M", quantity=1, price=Decimal("189.00"))]


def test_the_page_the_shopper_is_on_wins_over_the_nudge() -> None:
    metadata = {
        "proactive": CART_NUDGE,
        "page": {"product": "alpine-down-puffer"},
        "cart": [{"sku": "JKT-002-CHA0-M", "quantity": 2, "price": "249.00"}],
    }
    tracker = make_tracker(metadata=metadata)
    assert page_product(tracker) == "alpine-down-puffer"
    assert cart_lines(tracker) == [CartLine(sku="JKT-002-CHA0-M", quantity=2, price=Decimal("249.00"))]


def test_without_a_nudge_there_is_no_context() -> None:
    tracker = make_tracker(metadata=whatsapp("+442079460321"), input_channel="whatsapp")
    assert (proactive_context(tracker), page_product(tracker), cart_lines(tracker)) == ({}, None, None)
    assert proactive_context(make_tracker(metadata={"proactive": "cart"})) == {}


def test_the_handoff_names_the_message_that_started_the_conversation() -> None:
    events = [
        _user("hi", whatsapp("+442079460321")),
        _user("does the medium fit?", {**whatsapp("+442079460321"), "proactive": CART_NUDGE}),
        _user("a person please", {**whatsapp("+442079460321"), "proactive": {**CART_NUDGE, "outbox_id": 8}}),
    ]
    assert started_by(tracker_from_events(events)) == {
        "trigger": "cart_recovery",
        "channel": "whatsapp",
        "sent_at": "2026-12-02T14:02:00+00:00",
        "outbox_id": 7,
    }
    assert started_by(tracker_from_events(events[:1])) is None
