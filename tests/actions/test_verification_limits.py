"""The order-verification forms stop guessing that a new conversation or sender cannot reset."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet

from actions.order_forms import ValidateCancelOrderForm, ValidateOrderStatusForm
from tests.actions.order_support import AVA, make_tracker, run

pytestmark = pytest.mark.usefixtures("order_store")
STOP = [ActiveLoop(None), SlotSet("requested_slot", None)]
LOCKED_EVENTS = [
    SlotSet("order_number", None),
    SlotSet("order_contact", None),
    SlotSet("verified_order", None),
    SlotSet("order_lookup_attempts", None),
    SlotSet("handoff_reason", "form_failed"),
    *STOP,
]


def guess(contact: str, *, address: str, form: str = "order_status_form") -> Dict[str, Any]:
    """A fresh conversation (no attempts counted yet) that types order #1001 and ``contact``."""
    return {
        "slots": {"order_number": "1001"},
        "set_this_turn": {"order_contact": contact},
        "active_loop": form,
        "metadata": {"client": {"channel": "rest", "address": address}},
        "input_channel": "rest",
    }


async def test_the_fourth_guess_at_one_order_is_refused_even_with_the_right_contact() -> None:
    for n in range(3):  # three conversations, three clients: nothing a conversation could reset
        _, said = await run(
            ValidateOrderStatusForm(), make_tracker(**guess(f"guess{n}@example.com", address=f"10.0.0.{n}"))
        )
        assert said == [{"response": "utter_order_not_found"}]

    events, said = await run(ValidateOrderStatusForm(), make_tracker(**guess(AVA, address="10.0.0.9")))
    assert said == [{"response": "utter_verification_locked"}]
    assert events == [SlotSet("order_contact", AVA), *LOCKED_EVENTS]

    # every form that verifies an order shares the count
    events, said = await run(
        ValidateCancelOrderForm(), make_tracker(**guess(AVA, address="10.0.0.10", form="cancel_order_form"))
    )
    assert said == [{"response": "utter_verification_locked"}]
    assert SlotSet("verified_order", None) in events
