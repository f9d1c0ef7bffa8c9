"""A one-line address fills the address form at once (issue #12, dialogue), on the sample store."""

from __future__ import annotations

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet

from actions.order_forms import ValidateChangeAddressForm
from tests.actions.order_support import BEN, make_tracker, run
from tests.support.trackers import tracker_from_events

pytestmark = pytest.mark.usefixtures("order_store")


def street_answer(text: str) -> object:
    return make_tracker(
        slots={
            "order_number": "1003",
            "order_contact": BEN,
            "verified_order": "1003",
            "requested_slot": "new_address1",
        },
        set_this_turn={"new_address1": text},
        text=text,
        active_loop="change_address_form",
    )


async def test_a_whole_address_fills_street_city_and_postal_code() -> None:
    events, said = await run(
        ValidateChangeAddressForm(), street_answer("350 Fifth Avenue, New York, NY 10118")
    )
    assert events == [
        SlotSet("new_address1", "350 Fifth Avenue"),
        SlotSet("new_city", "New York, NY"),
        SlotSet("new_postal_code", "10118"),
    ]
    assert said == []


async def test_a_street_line_alone_is_kept_and_the_form_asks_for_the_rest() -> None:
    events, said = await run(ValidateChangeAddressForm(), street_answer("350 Fifth Avenue"))
    assert (events, said) == ([SlotSet("new_address1", "350 Fifth Avenue")], [])


def answer_at(slot: str, text: str, filled: str) -> object:
    """The shopper's ``text`` at the ``slot`` question; the domain's mappings filled ``filled``."""
    return make_tracker(
        slots={"order_number": "1003", "order_contact": BEN, "verified_order": "1003",
               "new_address1": "12 Old Road", "requested_slot": slot},
        set_this_turn={slot: filled}, text=text, active_loop="change_address_form",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("slot", "filled"),
    [("new_city", "350 Fifth Avenue, New York, NY 10118"), ("new_postal_code", "10118")],  # the entity's code
)
async def test_a_whole_address_at_the_city_or_postal_code_question_fills_all_three(
    slot: str, filled: str
) -> None:
    events, said = await run(
        ValidateChangeAddressForm(), answer_at(slot, "350 Fifth Avenue, New York, NY 10118", filled)
    )
    assert {e["name"]: e["value"] for e in events} == {
        "new_address1": "350 Fifth Avenue",
        "new_city": "New York, NY",
        "new_postal_code": "10118",
    }
    assert said == []


async def test_a_town_alone_at_the_city_question_is_kept() -> None:
    events, said = await run(
        ValidateChangeAddressForm(), answer_at("new_city", "Portland, OR", "Portland, OR")
    )
    assert (events, said) == ([SlotSet("new_city", "Portland, OR")], [])


async def test_a_plain_no_at_the_street_question_keeps_the_address_and_ends_the_form() -> None:
    tracker = make_tracker(
        slots={"order_number": "1003", "order_contact": BEN, "verified_order": "1003",
               "requested_slot": "new_address1"},
        set_this_turn={"new_address1": "no leave it"}, text="no leave it", intent="deny",
        active_loop="change_address_form",
    )  # fmt: skip
    events, said = await run(ValidateChangeAddressForm(), tracker)
    assert [m["response"] for m in said] == ["utter_address_kept"]
    assert ActiveLoop(None) in events and SlotSet("new_address1", None) in events
    assert SlotSet("order_number", None) in events and SlotSet("verified_order", None) not in events


async def test_an_address_in_the_message_that_started_the_change_goes_straight_to_the_confirmation() -> None:
    """ "Send it to 350 Fifth Ave, New York, NY 10118 instead" right after the order was verified."""
    text = "oh good. can you send it to 350 Fifth Avenue, New York, NY 10118 instead"
    tracker = tracker_from_events(
        [
            {"event": "user", "text": text, "parse_data": {"intent": {"name": "change_address"},
                                                           "entities": [], "text": text}},
            {"event": "active_loop", "name": "change_address_form"},
            {"event": "slot", "name": "order_number", "value": "1003"},
        ],
        slots={"order_number": "1003", "order_contact": BEN, "verified_order": "1003"},
        active_loop="change_address_form",
    )  # fmt: skip
    events, said = await run(ValidateChangeAddressForm(), tracker)
    assert {e["name"]: e["value"] for e in events if e["name"].startswith("new_")} == {
        "new_address1": "350 Fifth Avenue",
        "new_city": "New York, NY",
        "new_postal_code": "10118",
    }
    assert said == []
