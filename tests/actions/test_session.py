"""action_session_start: a new session keeps what the shopper browsed, never a verified order."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet

from actions.session import ActionSessionStart
from tests.actions.order_support import AVA, run
from tests.support.trackers import tracker_from_events

VERIFIED_SHOPPING = {
    "order_number": "1001", "order_contact": AVA, "verified_order": "1001", "order_lookup_attempts": 1.0,
    "return_items": ["line-1"], "cancel_confirmed": True, "new_city": "Boston",
    "handoff_contact": "+14155550101", "handoff_reason": "requested", "height": 180.0,
    "product": "harbor-rain-shell", "size": "M", "country": "Germany",
}  # fmt: skip
WIDGET_AVA = {"shopper": {"channel": "web", "proved_by": "socketio", "verified_email": AVA}}
PAGE = {"page": {"url": "https://shop.example/"}}


def user(text: str, metadata: Dict[str, Any]) -> Dict[str, Any]:
    parse = {"intent": {"name": text.lstrip("/"), "confidence": 1.0}, "entities": [], "text": text}
    return {
        "event": "user",
        "text": text,
        "parse_data": parse,
        "metadata": metadata,
        "input_channel": "socketio",
    }


def listen() -> Dict[str, Any]:
    return {"event": "action", "name": "action_listen"}


async def test_an_expired_session_keeps_the_browsing_and_drops_the_verified_order() -> None:
    # Rasa sets session_started_metadata from the new message just before the action runs
    events: List[Dict[str, Any]] = [user("where is my order", WIDGET_AVA), listen()]
    tracker = tracker_from_events(events, slots={**VERIFIED_SHOPPING, "session_started_metadata": PAGE})
    result, said = await run(ActionSessionStart(), tracker)
    assert said == []
    assert result == [
        SessionStarted(),
        SlotSet("country", "Germany"),
        SlotSet("product", "harbor-rain-shell"),
        SlotSet("size", "M"),
        SlotSet("session_started_metadata", PAGE),
        ActionExecuted("action_listen"),
    ]


async def test_signing_out_starts_a_session_with_the_sign_out_message_metadata() -> None:
    # the widget sends /session_start when the shopper signs out: no token, so no shopper
    events = [user("hi", WIDGET_AVA), listen(), user("/session_start", PAGE)]
    tracker = tracker_from_events(events, slots={**VERIFIED_SHOPPING, "session_started_metadata": WIDGET_AVA})
    result, _ = await run(ActionSessionStart(), tracker)
    assert SlotSet("session_started_metadata", PAGE) in result
    names = {event["name"] for event in result if event["event"] == "slot"}
    assert names == {"country", "product", "size", "session_started_metadata"}
