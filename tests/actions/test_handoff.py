"""action_handoff, the offline contact form and the form-failure trigger, on a copy of the sample store.

Business hours come from data/store/store.yaml (Mon-Fri 09:00-18:00 America/New_York).
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterator

import pytest
from rasa_sdk.events import ActiveLoop, ConversationPaused, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff
from actions.handoff_contact import ValidateHandoffContactForm, normalise_contact
from core.clock import pinned
from store.db import session_scope
from store.handoffs import list_handoffs
from tests.handoff.support import (
    DOMAIN,
    bot,
    customer_with_orders,
    private_store,
    said,
    tracker_from_events,
    user,
)

__all__ = ["private_store"]
pytestmark = pytest.mark.usefixtures("private_store")

TUESDAY_10AM_NEW_YORK = datetime(2026, 6, 9, 14, 0, tzinfo=timezone.utc)
SATURDAY_11AM_NEW_YORK = datetime(2026, 6, 13, 15, 0, tzinfo=timezone.utc)
CLEARED = [
    SlotSet("handoff_reason", None),
    SlotSet("handoff_contact", None),
    SlotSet("handoff_consent", None),
]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Pin the one clock for the rest of the test, with or without an hours override."""
    with ExitStack() as pins:

        def pin(moment: datetime, override: str = "") -> None:
            pins.enter_context(pinned(moment))
            monkeypatch.setenv("HANDOFF_HOURS_OVERRIDE", override)

        yield pin


def handoffs() -> list:
    with session_scope() as session:
        return list_handoffs(session)


async def run(tracker) -> tuple[list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await ActionHandoff().run(dispatcher, tracker, DOMAIN)
    return events, dispatcher


async def test_request_in_hours_queues_with_full_context_and_pauses(clock, private_store: str) -> None:
    clock(TUESDAY_10AM_NEW_YORK)
    shopper = customer_with_orders(private_store)
    web = {
        "shopper": {"channel": "web", "proved_by": "socketio", "verified_email": shopper["email"]},
        "page": {"product": "trail-jacket", "url": "https://shop.example/products/trail-jacket"},
        "cart": [{"sku": "TJ-M-BLK", "quantity": 1, "price": "149.00"}],
    }
    tracker = tracker_from_events(
        [
            user("hi", "greet", 0.98, web),
            bot("Hi! I'm the store assistant."),
            user("I want to talk to a person", "human_handoff", 0.93, {"shopper": web["shopper"]}),
        ],
        slots={"order_number": str(shopper["order_number"]), "verified_order": str(shopper["order_number"])},
    )
    events, dispatcher = await run(tracker)

    assert events == [*CLEARED, ConversationPaused()]
    assert said(dispatcher) == [{"response": "utter_handoff_queued", "wait_minutes": 5}]
    (record,) = handoffs()
    assert (record.conversation_id, record.channel, record.status, record.offline, record.reason) == (
        "shopper-1",
        "socketio",
        "queued",
        False,
        "requested",
    )
    context: Dict[str, Any] = record.context
    assert context["shopper"]["email"] == shopper["email"]
    assert context["shopper"]["verified"] is True and context["shopper"]["verified_by"] == "web"
    assert context["customer"]["email"] == shopper["email"] and context["customer"]["orders_count"] >= 1
    assert [o["number"] for o in context["orders"]] == [shopper["order_number"]]
    assert context["orders"][0]["verified"] is True and context["orders"][0]["status"]
    assert context["page"] == web["page"] and context["cart"] == web["cart"]
    assert [
        (t["sender"], t["text"], t.get("intent"), t.get("confidence")) for t in context["transcript"]
    ] == [
        ("shopper", "hi", "greet", 0.98),
        ("bot", "Hi! I'm the store assistant.", None, None),
        ("shopper", "I want to talk to a person", "human_handoff", 0.93),
    ]
    assert context["slots"] == {
        "order_number": str(shopper["order_number"]),
        "verified_order": str(shopper["order_number"]),
    }
    assert record.summary == (
        f"Shopper asked for a person; order #{shopper['order_number']} "
        f'({context["orders"][0]["status"]}); last message: "I want to talk to a person"'
    )
    assert context["next_step"].startswith("Greet the shopper")


async def test_second_shopper_waits_twice_as_long(clock) -> None:
    clock(TUESDAY_10AM_NEW_YORK)
    await run(tracker_from_events([user("human please", "human_handoff")], sender="first"))
    _events, dispatcher = await run(tracker_from_events([user("agent", "human_handoff")], sender="second"))
    assert said(dispatcher) == [{"response": "utter_handoff_queued", "wait_minutes": 10}]
    assert [h.conversation_id for h in handoffs()] == ["first", "second"]


async def test_frustration_apologises_first_and_records_the_reason(clock) -> None:
    clock(TUESDAY_10AM_NEW_YORK)
    events, dispatcher = await run(tracker_from_events([user("THIS IS USELESS", "frustration", 0.97)]))
    assert [m["response"] for m in said(dispatcher)] == ["utter_frustration_sorry", "utter_handoff_queued"]
    assert handoffs()[0].reason == "frustration"
    assert events[-1] == ConversationPaused()


async def test_reason_set_by_an_order_action_is_kept(clock) -> None:
    clock(TUESDAY_10AM_NEW_YORK)
    tracker = tracker_from_events(
        [user("/human_handoff", "human_handoff", 1.0)], slots={"handoff_reason": "delayed_order"}
    )
    await run(tracker)
    assert handoffs()[0].reason == "delayed_order"


async def test_a_reason_given_this_turn_wins_over_an_unclear_message(clock) -> None:
    """A bare email at the order form reads as nlu_fallback; the form found a late high-value order."""
    clock(TUESDAY_10AM_NEW_YORK)
    events = [
        user("dev.delayed@example.com", "nlu_fallback", 0.4),
        {"event": "slot", "name": "handoff_reason", "value": "high_value_order"},
    ]
    _events, dispatcher = await run(tracker_from_events(events, slots={"handoff_reason": "high_value_order"}))
    assert handoffs()[0].reason == "high_value_order"
    assert "utter_fallback_handing_off" not in [m["response"] for m in said(dispatcher)]


async def test_an_unclear_message_after_an_earlier_reason_is_the_fallback(clock) -> None:
    clock(TUESDAY_10AM_NEW_YORK)
    events = [
        {"event": "slot", "name": "handoff_reason", "value": "delayed_order"},
        user("qwpoeiru", "nlu_fallback", 0.2),
    ]
    _events, dispatcher = await run(tracker_from_events(events, slots={"handoff_reason": "delayed_order"}))
    assert handoffs()[0].reason == "nlu_fallback"
    assert said(dispatcher)[0]["response"] == "utter_fallback_handing_off"


async def test_a_mentioned_but_unverified_order_is_listed_without_details(clock) -> None:
    clock(TUESDAY_10AM_NEW_YORK)
    await run(tracker_from_events([user("human", "human_handoff")], slots={"order_number": "#1004"}))
    assert handoffs()[0].context["orders"] == [{"number": "1004", "verified": False}]


async def test_asking_again_while_queued_keeps_one_handoff(clock) -> None:
    clock(TUESDAY_10AM_NEW_YORK)
    await run(tracker_from_events([user("human", "human_handoff")]))
    events, dispatcher = await run(tracker_from_events([user("human!!", "human_handoff")]))
    assert events == [ConversationPaused()]
    assert said(dispatcher) == [{"response": "utter_handoff_already_queued"}]
    assert len(handoffs()) == 1


async def test_handoff_inside_another_form_ends_that_form(clock) -> None:
    clock(TUESDAY_10AM_NEW_YORK)
    events, _ = await run(
        tracker_from_events([user("get me a human", "human_handoff")], active_loop="sizing_form")
    )
    assert events[:2] == [ActiveLoop(None), SlotSet("requested_slot", None)]
    assert events[-1] == ConversationPaused()


async def test_weekend_says_when_people_are_back_and_asks_for_contact(clock) -> None:
    clock(SATURDAY_11AM_NEW_YORK)
    events, dispatcher = await run(tracker_from_events([user("human", "human_handoff")]))
    assert said(dispatcher) == [
        {
            "response": "utter_handoff_offline",
            "next_open_day": "Monday June 15",
            "next_open_time": "9:00 AM",
            "timezone": "EDT",
        }
    ]
    assert events == [SlotSet("handoff_reason", "requested"), FollowupAction("handoff_contact_form")]
    assert handoffs() == []


async def test_offline_with_a_verified_phone_prefills_the_contact(clock) -> None:
    clock(SATURDAY_11AM_NEW_YORK)
    whatsapp = {
        "shopper": {
            "channel": "whatsapp", "proved_by": "whatsapp", "verified_phone": "+15551234567",
            "wa_id": "15551234567",
        }
    }  # fmt: skip
    message = user("human", "human_handoff", metadata=whatsapp, input_channel="whatsapp")
    events, _ = await run(tracker_from_events([message]))
    assert events == [
        SlotSet("handoff_reason", "requested"),
        SlotSet("handoff_contact", "+15551234567"),
        FollowupAction("handoff_contact_form"),
    ]


async def test_offline_after_consent_queues_with_the_contact(clock) -> None:
    clock(SATURDAY_11AM_NEW_YORK)
    tracker = tracker_from_events(
        [user("human", "human_handoff"), user("yes", "affirm")],
        slots={"handoff_reason": "requested", "handoff_contact": "ava@example.com", "handoff_consent": True},
    )
    events, dispatcher = await run(tracker)
    assert events == [*CLEARED, ConversationPaused()]
    assert said(dispatcher) == [
        {
            "response": "utter_handoff_offline_queued_contact",
            "handoff_contact": "ava@example.com",
            "next_open_day": "Monday June 15",
            "next_open_time": "9:00 AM",
            "timezone": "EDT",
        }
    ]
    (record,) = handoffs()
    assert record.offline is True
    assert record.context["offline"] == {
        "contact": "ava@example.com",
        "consent": True,
        "next_open": "2026-06-15T09:00:00-04:00",
    }


async def test_offline_without_consent_promises_a_reply_in_the_chat(clock) -> None:
    clock(SATURDAY_11AM_NEW_YORK)
    tracker = tracker_from_events(
        [user("no thanks", "deny")],
        slots={"handoff_reason": "requested", "handoff_contact": "none", "handoff_consent": False},
    )
    _events, dispatcher = await run(tracker)
    assert said(dispatcher)[0]["response"] == "utter_handoff_offline_queued_here"
    assert handoffs()[0].context["offline"]["contact"] is None


async def test_override_closed_during_business_hours_names_the_next_day(clock) -> None:
    clock(TUESDAY_10AM_NEW_YORK, override="closed")
    _, dispatcher = await run(tracker_from_events([user("human", "human_handoff")]))
    assert said(dispatcher) == [
        {
            "response": "utter_handoff_offline",
            "next_open_day": "Wednesday June 10",
            "next_open_time": "9:00 AM",
            "timezone": "EDT",
        }
    ]


async def test_override_open_on_a_sunday_queues_online(clock) -> None:
    clock(datetime(2026, 6, 14, 15, 0, tzinfo=timezone.utc), override="open")
    _, dispatcher = await run(tracker_from_events([user("human", "human_handoff")]))
    assert said(dispatcher)[0]["response"] == "utter_handoff_queued"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Ava@Example.com", "ava@example.com"),
        ("+1 (555) 123-4567", "+15551234567"),
        ("0044 20 7946 0958", "00442079460958"),
        ("tomorrow", None),
        ("12345", None),
        ("ava@", None),
    ],
)
def test_contact_normalisation(typed: str, expected: str) -> None:
    assert normalise_contact(typed) == expected


@pytest.mark.parametrize(
    ("text", "consent"),
    [
        ("sure, go ahead", True),
        ("yeah please", True),
        ("nah I'm fine", False),
        ("no thanks, leave it", False),
    ],
)
async def test_natural_yes_or_no_answers_the_consent_question(text: str, consent: bool) -> None:
    tracker = tracker_from_events(
        [user(text, "nlu_fallback", 0.3)], active_loop="handoff_contact_form",
        slots={"requested_slot": "handoff_consent", "handoff_contact": "ava@example.com"},
    )  # fmt: skip
    form = ValidateHandoffContactForm()
    assert await form.extract_handoff_consent(CollectingDispatcher(), tracker, DOMAIN) == {
        "handoff_consent": consent
    }


async def test_contact_form_validators() -> None:
    form = ValidateHandoffContactForm()
    tracker = tracker_from_events([user("x", "inform")], active_loop="handoff_contact_form")
    dispatcher = CollectingDispatcher()
    assert await form.validate_handoff_contact("AVA@example.com", dispatcher, tracker, DOMAIN) == {
        "handoff_contact": "ava@example.com"
    }
    assert await form.validate_handoff_contact("none", dispatcher, tracker, DOMAIN) == {
        "handoff_contact": "none",
        "handoff_consent": False,
    }
    assert said(dispatcher) == []
    assert await form.validate_handoff_contact("call me maybe", dispatcher, tracker, DOMAIN) == {
        "handoff_contact": None
    }
    assert said(dispatcher) == [{"response": "utter_handoff_contact_invalid"}]
    assert await form.validate_handoff_contact(
        "nah I'm fine, just reply here", dispatcher, tracker, DOMAIN
    ) == {
        "handoff_contact": "none",
        "handoff_consent": False,
    }
    assert await form.validate_handoff_consent(True, dispatcher, tracker, DOMAIN) == {"handoff_consent": True}
    assert await form.validate_handoff_consent(False, dispatcher, tracker, DOMAIN) == {
        "handoff_consent": False
    }
