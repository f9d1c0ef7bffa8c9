"""A one-line address fills the address form at once (issue #12, dialogue), on the sample store."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.order_forms import ValidateChangeAddressForm
from tests.actions.order_support import BEN, make_tracker, run

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
