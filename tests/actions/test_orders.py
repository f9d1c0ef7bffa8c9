"""Where is my order: the order-verification form, the recent-orders prompt and the status reply."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

from actions.formatting import day
from actions.order_forms import ValidateOrderStatusForm
from actions.orders import ActionAskOrderNumber, ActionOrderStatus
from tests.actions.order_support import (
    AVA,
    AVA_PHONE,
    BEN,
    DEV,
    FINN,
    GIA,
    fulfillments,
    make_tracker,
    responses,
    run,
    set_high_value_threshold,
    whatsapp,
)
from tests.support.trackers import tracker_from_events

pytestmark = pytest.mark.usefixtures("order_store")
FORM = "order_status_form"
STOP = [ActiveLoop(None), SlotSet("requested_slot", None)]


def turn(**set_this_turn: Any) -> Dict[str, Any]:
    return {"set_this_turn": set_this_turn, "active_loop": FORM}


# -- asking for the order -----------------------------------------------------------------------


async def test_ask_order_number_without_a_verified_shopper_asks_for_the_number() -> None:
    events, said = await run(ActionAskOrderNumber(), make_tracker(intent="order_status"))
    assert events == []
    assert said == [{"response": "utter_ask_order_number"}]


async def test_ask_order_number_lists_a_whatsapp_shoppers_recent_orders_newest_first() -> None:
    events, said = await run(ActionAskOrderNumber(), make_tracker(metadata=whatsapp(AVA_PHONE)))
    assert events == []
    assert responses(said) == ["utter_ask_order_number_pick"]
    payloads = [b["payload"] for b in said[0]["buttons"]]
    assert payloads == [
        '/inform{"order_number":"1001"}',
        '/inform{"order_number":"1002"}',
        '/inform{"order_number":"1010"}',
    ]
    assert said[0]["buttons"][0]["title"].startswith("#1001 · ")


async def test_ask_order_number_still_asks_when_the_store_is_down(store_down: None) -> None:
    _, said = await run(ActionAskOrderNumber(), make_tracker(metadata=whatsapp(AVA_PHONE)))
    assert said == [{"response": "utter_ask_order_number"}]


# -- validating and verifying -------------------------------------------------------------------


async def test_number_and_matching_email_verify_the_order() -> None:
    events, said = await run(
        ValidateOrderStatusForm(), make_tracker(**turn(order_number="#1001", order_contact=AVA))
    )
    assert said == []
    assert events == [
        SlotSet("order_number", "1001"),
        SlotSet("order_contact", AVA),
        SlotSet("order_contact", AVA),
        SlotSet("verified_order", "1001"),
        SlotSet("order_lookup_attempts", None),
    ]


async def test_phone_on_the_order_verifies_it_too() -> None:
    events, _ = await run(
        ValidateOrderStatusForm(),
        make_tracker(slots={"order_number": "1003"}, **turn(order_contact="(212) 555-0102")),
    )
    assert SlotSet("verified_order", "1003") in events


async def test_number_alone_waits_for_the_contact() -> None:
    events, said = await run(ValidateOrderStatusForm(), make_tracker(**turn(order_number="it's order 1002")))
    assert (events, said) == ([SlotSet("order_number", "1002")], [])


async def test_something_that_is_not_an_order_number_is_refused() -> None:
    events, said = await run(
        ValidateOrderStatusForm(), make_tracker(**turn(order_number="the blue one i think"))
    )
    assert events == [SlotSet("order_number", None)]
    assert said == [{"response": "utter_order_number_invalid"}]


@pytest.mark.parametrize(
    "text", ["I don't have the order number", "no idea sorry", "i can't find the email", "lost it"]
)
async def test_a_shopper_without_the_number_is_told_where_it_is_and_no_failure_is_counted(text: str) -> None:
    tracker = make_tracker(**turn(order_number=text), slots={"handoff_form_failures": 1})
    events, said = await run(ValidateOrderStatusForm(), tracker)
    assert said == [{"response": "utter_order_number_missing"}]
    assert SlotSet("order_number", None) in events
    assert SlotSet("handoff_form_failures", 1) in events


async def test_an_email_given_for_the_order_number_is_kept_for_the_number_to_come() -> None:
    """After "I can't find an order with those details", shoppers often correct the email first."""
    tracker = make_tracker(**turn(order_number="ok then it's dev.delayed@example.com"))
    events, said = await run(ValidateOrderStatusForm(), tracker)
    assert SlotSet("order_number", None) in events
    assert SlotSet("order_contact", "dev.delayed@example.com") in events
    assert not any(e.get("name") == "verified_order" for e in events)  # nothing to verify yet
    assert said == [{"response": "utter_order_contact_noted"}]

    then = make_tracker(slots={"order_contact": "dev.delayed@example.com"}, **turn(order_number="1005"))
    events, _ = await run(ValidateOrderStatusForm(), then)
    assert SlotSet("verified_order", "1005") in events


async def test_something_that_is_not_an_email_or_phone_is_refused() -> None:
    events, said = await run(
        ValidateOrderStatusForm(),
        make_tracker(slots={"order_number": "1001"}, **turn(order_contact="ava at example")),
    )
    assert events == [SlotSet("order_contact", None)]
    assert said == [{"response": "utter_order_contact_invalid"}]


async def test_wrong_email_and_unknown_number_get_the_same_answer() -> None:
    wrong_email = await run(
        ValidateOrderStatusForm(),
        make_tracker(slots={"order_number": "1001"}, **turn(order_contact="someone.else@example.com")),
    )
    unknown_number = await run(
        ValidateOrderStatusForm(),
        make_tracker(slots={"order_number": "9999"}, **turn(order_contact="someone.else@example.com")),
    )
    assert wrong_email == unknown_number
    events, said = wrong_email
    assert said == [{"response": "utter_order_not_found"}]
    assert events == [
        SlotSet("order_contact", "someone.else@example.com"),
        SlotSet("order_number", None),
        SlotSet("order_contact", None),
        SlotSet("verified_order", None),
        SlotSet("order_lookup_attempts", 1.0),
    ]


async def test_second_failed_lookup_stops_the_form_and_offers_a_person() -> None:
    events, said = await run(
        ValidateOrderStatusForm(),
        make_tracker(slots={"order_number": "1001", "order_lookup_attempts": 1.0}, **turn(order_contact=BEN)),
    )
    assert said == [{"response": "utter_order_not_found_final"}]
    assert events == [
        SlotSet("order_contact", BEN),
        SlotSet("order_number", None),
        SlotSet("order_contact", None),
        SlotSet("verified_order", None),
        SlotSet("order_lookup_attempts", None),
        SlotSet("handoff_reason", "form_failed"),
        *STOP,
    ]


async def test_whatsapp_number_on_the_order_skips_the_email_question() -> None:
    tracker = make_tracker(metadata=whatsapp(AVA_PHONE), **turn(order_number="1002"))
    events, said = await run(ValidateOrderStatusForm(), tracker)
    assert said == []
    assert events == [
        SlotSet("order_number", "1002"),
        SlotSet("order_contact", AVA_PHONE),
        SlotSet("verified_order", "1002"),
        SlotSet("order_lookup_attempts", None),
    ]


async def test_whatsapp_number_not_on_the_order_asks_for_the_contact_without_revealing_anything() -> None:
    tracker = make_tracker(metadata=whatsapp(AVA_PHONE), **turn(order_number="1003"))
    events, said = await run(ValidateOrderStatusForm(), tracker)
    assert said == []
    assert events == [
        SlotSet("order_number", "1003"),
        SlotSet("order_contact", None),
        SlotSet("verified_order", None),
    ]


async def test_store_failure_during_verification_apologises_and_stops(store_down: None) -> None:
    events, said = await run(
        ValidateOrderStatusForm(), make_tracker(**turn(order_number="1001", order_contact=AVA))
    )
    assert said == [{"response": "utter_store_unavailable"}]
    assert events[-3:] == [SlotSet("handoff_reason", "action_failed"), *STOP]


# -- the status reply ---------------------------------------------------------------------------


def verified(number: str, contact: str) -> Dict[str, Any]:
    return {"slots": {"order_number": number, "verified_order": number, "order_contact": contact}}


async def test_in_transit_order_reports_items_carrier_tracking_and_estimate() -> None:
    events, said = await run(ActionOrderStatus(), make_tracker(**verified("1001", AVA)))
    parcel = fulfillments(1001)[0]
    assert events == [SlotSet("order_number", None)]
    assert said == [
        {
            "response": "utter_order_in_transit",
            "order": "#1001",
            "placed": said[0]["placed"],
            "items": "1 x Harbor Rain Shell - M / Black\n2 x Essential Crew Tee - M / Heather Grey",
            "total": said[0]["total"],
            "tracking": f"USPS {parcel.tracking_number}: {parcel.tracking_url}",
            "carrier": "USPS",
            "eta": day(parcel.estimated_delivery),
            "address": said[0]["address"],
        }
    ]
    assert said[0]["address"].startswith("100 Market St, San Francisco CA, 94103")


async def test_delayed_order_offers_a_person_with_the_reason() -> None:
    set_high_value_threshold("1000.00")  # #1005 ($309.20) is below it
    events, said = await run(ActionOrderStatus(), make_tracker(**verified("1005", DEV)))
    assert responses(said) == ["utter_order_delayed"]
    assert said[0]["carrier"] == "UPS"
    assert events == [SlotSet("order_number", None), SlotSet("handoff_reason", "delayed_order")]


async def test_a_delayed_high_value_order_goes_straight_to_a_person() -> None:
    set_high_value_threshold("300.00")  # store.yaml's threshold; #1005 is $309.20
    events, said = await run(ActionOrderStatus(), make_tracker(**verified("1005", DEV)))
    assert responses(said) == ["utter_order_delayed"]
    assert events == [
        SlotSet("order_number", None),
        SlotSet("handoff_reason", "high_value_order"),
        FollowupAction("action_handoff"),
    ]


async def test_a_high_value_order_without_a_problem_stays_with_the_assistant() -> None:
    set_high_value_threshold("100.00")  # #1001 ($247.17, in transit) is above it
    events, said = await run(ActionOrderStatus(), make_tracker(**verified("1001", AVA)))
    assert (events, responses(said)) == ([SlotSet("order_number", None)], ["utter_order_in_transit"])


@pytest.mark.parametrize(
    ("number", "contact", "response"),
    [
        ("1002", AVA, "utter_order_delivered"),
        ("1003", BEN, "utter_order_unfulfilled"),
        ("1007", FINN, "utter_order_cancelled"),
        ("1008", GIA, "utter_refund_refunded"),  # a returned order says where its refund is
        ("1004", "chloe.customer@example.com", "utter_order_partially_fulfilled"),
    ],
)
async def test_each_status_has_its_own_reply(number: str, contact: str, response: str) -> None:
    _, said = await run(ActionOrderStatus(), make_tracker(**verified(number, contact)))
    assert responses(said) == [response]


async def test_partially_shipped_order_lists_what_is_still_to_ship() -> None:
    _, said = await run(ActionOrderStatus(), make_tracker(**verified("1004", "chloe.customer@example.com")))
    assert said[0]["unshipped_items"].startswith("1 x Chelsea Boot - US 8")


async def test_nothing_is_said_about_an_unverified_order() -> None:
    events, said = await run(
        ActionOrderStatus(), make_tracker(slots={"order_number": "1001", "order_contact": BEN})
    )
    assert (events, said) == ([SlotSet("order_number", None)], [])


async def test_store_failure_gives_an_apology_and_a_person(store_down: None) -> None:
    events, said = await run(ActionOrderStatus(), make_tracker(**verified("1001", AVA)))
    assert said == [{"response": "utter_store_unavailable"}]
    assert events == [SlotSet("order_number", None), SlotSet("handoff_reason", "action_failed")]


async def test_a_number_in_a_later_answer_does_not_switch_the_verified_order() -> None:
    tracker = make_tracker(
        slots={"verified_order": "1003", "order_contact": BEN, "requested_slot": "new_postal_code"},
        set_this_turn={"order_number": "10118"},
        active_loop=FORM,
    )
    events, said = await run(ValidateOrderStatusForm(), tracker)
    assert said == []
    assert events[0] == SlotSet("order_number", "1003")
    assert SlotSet("verified_order", "1003") in events


async def test_an_email_in_a_later_answer_keeps_the_verified_contact() -> None:
    tracker = make_tracker(
        slots={"verified_order": "1003", "order_number": "1003", "requested_slot": "new_address1"},
        set_this_turn={"order_contact": "other@example.com"},
        active_loop=FORM,
    )
    tracker.events.insert(0, {"event": "slot", "name": "order_contact", "value": BEN})
    events, said = await run(ValidateOrderStatusForm(), tracker)
    assert said == []
    assert events[0] == SlotSet("order_contact", BEN)


@pytest.mark.parametrize(
    ("typed", "contact"),
    [
        ("my email is Ava.Shopper@Example.com.", AVA),
        ("it's +1 415 555 0101", "+1 415 555 0101"),
        ("(415) 555-0101", "(415) 555-0101"),
    ],
)
async def test_the_contact_is_found_inside_a_sentence(typed: str, contact: str) -> None:
    events, said = await run(
        ValidateOrderStatusForm(), make_tracker(slots={"order_number": "1001"}, **turn(order_contact=typed))
    )
    assert said == []
    assert events[0] == SlotSet("order_contact", contact)
    assert SlotSet("verified_order", "1001") in events


# -- replies to an order update ----------------------------------------------------------------


def _update(order: str) -> Dict[str, Any]:
    return {"trigger": "order_shipped", "channel": "whatsapp", "sent_at": "2026-12-02T14:02:00+00:00",
            "outbox_id": 4, "order": order}  # fmt: skip


async def test_a_reply_to_an_order_update_from_the_orders_own_number_is_about_that_order() -> None:
    metadata = {**whatsapp(AVA_PHONE), "proactive": _update("#1002")}
    tracker = make_tracker(
        metadata=metadata, input_channel="whatsapp", intent="order_status", active_loop=FORM
    )
    events, said = await run(ValidateOrderStatusForm(), tracker)
    assert said == []
    assert events == [
        SlotSet("order_number", "1002"),
        SlotSet("order_contact", AVA_PHONE),
        SlotSet("verified_order", "1002"),
        SlotSet("order_lookup_attempts", None),
    ]


async def test_an_update_about_someone_elses_order_names_it_but_reveals_nothing() -> None:
    metadata = {**whatsapp(AVA_PHONE), "proactive": _update("#1003")}
    tracker = make_tracker(
        metadata=metadata, input_channel="whatsapp", intent="order_status", active_loop=FORM
    )
    events, said = await run(ValidateOrderStatusForm(), tracker)
    assert said == []
    assert events == [
        SlotSet("order_number", "1003"),
        SlotSet("order_contact", None),
        SlotSet("verified_order", None),
    ]


async def test_a_stock_question_where_the_order_number_is_asked_is_answered_and_the_number_asked_again() -> (
    None
):
    """ "Actually, do you have the Chelsea Boot in a 9?" is a topic switch, not a wrong order number."""
    text = "actually do you have the Chelsea Boot in a 9?"
    tracker = make_tracker(
        slots={"requested_slot": "order_number", "product": "Chelsea Boot", "size": "9"},
        set_this_turn={"order_number": text}, text=text, intent="product_stock",
        entities=[{"entity": "product", "value": "Chelsea Boot"}, {"entity": "size", "value": "9"}],
        active_loop="order_status_form",
    )  # fmt: skip
    events, said = await run(ValidateOrderStatusForm(), tracker)
    assert responses(said)[0].startswith("utter_stock_")
    assert "utter_order_number_invalid" not in responses(said)
    assert events[-1] == SlotSet("order_number", None)


async def test_a_phone_number_read_as_an_order_number_at_the_contact_question_keeps_the_order() -> None:
    """ "My number is (415) 555-0101" at the contact question: the "555-0101" entity is the phone."""
    text = "my number is (415) 555-0101"
    parse = {"intent": {"name": "inform", "confidence": 1.0}, "text": text,
             "entities": [{"entity": "order_number", "value": "555-0101"}]}  # fmt: skip
    events = [
        {"event": "slot", "name": "order_number", "value": "1001"},
        {"event": "slot", "name": "requested_slot", "value": "order_contact"},
        {"event": "user", "text": text, "parse_data": parse, "metadata": {}},
        {"event": "slot", "name": "order_number", "value": "555-0101"},
        {"event": "slot", "name": "order_contact", "value": text},
    ]
    slots = {"order_number": "555-0101", "order_contact": text, "requested_slot": "order_contact"}
    tracker = tracker_from_events(events, slots=slots, active_loop=FORM)
    events_out, said = await run(ValidateOrderStatusForm(), tracker)
    assert "utter_order_not_found" not in responses(said)
    assert SlotSet("order_number", "1001") in events_out
    assert SlotSet("verified_order", "1001") in events_out
