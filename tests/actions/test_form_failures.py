"""The same form question failing three times hands the shopper to a person (issue: handoff triggers).

Runs the real stock-form validator against the sample store: a product the store does not have
is rejected; the third rejection in a row ends the form and runs ``action_handoff``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog_forms import ValidateStockForm
from tests.actions.catalog_support import catalog_store  # noqa: F401 (fixture)
from tests.support.trackers import DOMAIN, make_tracker

pytestmark = pytest.mark.usefixtures("catalog_store")

FORM = "stock_form"
UNKNOWN = "unicorn saddle"


async def _answer(product: str, failures: Optional[Dict[str, int]] = None) -> List[Dict[str, Any]]:
    tracker = make_tracker(
        slots={"requested_slot": "product", "handoff_form_failures": failures},
        set_this_turn={"product": product},
        text=product,
        active_loop=FORM,
    )
    return await ValidateStockForm().run(CollectingDispatcher(), tracker, DOMAIN)


def _slots(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_first_and_second_failures_are_counted_and_the_question_is_asked_again() -> None:
    first = await _answer(UNKNOWN)
    assert _slots(first)["product"] is None
    assert _slots(first)["handoff_form_failures"] == {"stock_form:product": 1}
    second = await _answer(UNKNOWN, {"stock_form:product": 1})
    assert _slots(second)["handoff_form_failures"] == {"stock_form:product": 2}
    assert not [e for e in second if e["event"] == "followup"]


async def test_third_failure_ends_the_form_and_hands_off() -> None:
    events = await _answer(UNKNOWN, {"stock_form:product": 2})
    slots = _slots(events)
    assert slots["handoff_reason"] == "form_failed"
    assert slots["handoff_form_failures"] == {}
    assert {"event": "active_loop", "name": None} in [
        {"event": e["event"], "name": e.get("name")} for e in events if e["event"] == "active_loop"
    ]
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "action_handoff"}


async def test_an_accepted_answer_forgets_the_failures() -> None:
    events = await _answer("Fleece Hoodie", {"stock_form:product": 2, "shipping_form:country": 1})
    slots = _slots(events)
    assert slots["product"] == "fleece-hoodie"  # the product handle
    assert slots["handoff_form_failures"] == {"shipping_form:country": 1}
    assert not [e for e in events if e["event"] == "followup"]


# -- @dialogue: a yes to the person the form has just offered (issue #12) ------------------------


async def test_yes_after_the_form_offered_a_person_ends_the_form_and_hands_off() -> None:
    from actions.order_forms import ValidateOrderStatusForm

    events = [
        {"event": "user", "text": "#9999", "parse_data": {"intent": {"name": "inform"}, "entities": []}},
        {"event": "bot", "text": "Sorry...", "metadata": {"utter_action": "utter_order_not_found"}},
        {"event": "user", "text": "yes please", "parse_data": {"intent": {"name": "affirm"}, "entities": []}},
        {"event": "slot", "name": "order_number", "value": "yes please"},
    ]
    tracker = Tracker(
        "shopper", {"order_number": "yes please", "requested_slot": "order_number"},
        {"intent": {"name": "affirm", "confidence": 0.9}, "entities": [], "text": "yes please"},
        events, False, None, {"name": "order_status_form"}, "action_listen",
    )  # fmt: skip
    result = await ValidateOrderStatusForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert result == [
        SlotSet("order_number", None),
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        FollowupAction("action_handoff"),
    ]


# -- @dialogue: a request for a person in the form's own terms (issue #12) -------------------------


@pytest.mark.parametrize(
    ("form", "asked", "text"),
    [
        ("order_status_form", "order_contact", "I'm not giving you my email, get me a human"),
        ("cancel_order_form", "order_contact", "why do you need my email just let me talk to someone"),
        ("return_form", "order_number", "no idea where the number is, put me through to a real person"),
        ("change_address_form", "new_address1", "honestly can I just speak with one of your staff"),
        ("refund_status_form", "order_contact", "forget the phone number, connect me to customer service"),
        ("order_status_form", "order_contact", "nope not giving my email out. want someone from the shop"),
    ],
)
async def test_a_request_for_a_person_in_the_answer_ends_the_form_and_hands_off(
    form: str, asked: str, text: str
) -> None:
    from actions.order_forms import (
        ValidateCancelOrderForm,
        ValidateChangeAddressForm,
        ValidateOrderStatusForm,
    )
    from actions.refunds import ValidateRefundStatusForm
    from actions.return_form import ValidateReturnForm

    validators = {
        "order_status_form": ValidateOrderStatusForm, "cancel_order_form": ValidateCancelOrderForm,
        "return_form": ValidateReturnForm, "change_address_form": ValidateChangeAddressForm,
        "refund_status_form": ValidateRefundStatusForm,
    }  # fmt: skip
    tracker = make_tracker(
        slots={"requested_slot": asked, "order_number": "1001"},
        set_this_turn={asked: text},
        intent="inform",
        text=text,
        active_loop=form,
    )
    events = await validators[form]().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events == [
        SlotSet(asked, None),
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        FollowupAction("action_handoff"),
    ]


@pytest.mark.parametrize(
    ("asked", "text", "entities"),
    [
        ("order_contact", "ava.shopper@example.com, then let me talk to someone", [{"entity": "email"}]),
        ("order_contact", "am I talking to a real person?", []),
        ("new_address1", "deliver to the person at reception, 4 Mill Lane", []),
    ],
)  # fmt: skip
async def test_an_answer_or_a_question_about_people_is_no_request_for_one(
    asked: str, text: str, entities: List[Dict[str, Any]]
) -> None:
    from actions.handoff_triggers import demands_a_person_at_a_question

    tracker = make_tracker(
        slots={"requested_slot": asked}, text=text, entities=entities, active_loop="change_address_form"
    )
    assert not demands_a_person_at_a_question(tracker)
