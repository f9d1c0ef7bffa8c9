"""Where is my refund: the answer for each step of the refund, and the order kept in context.

The actions read a private copy of the sample store loaded today: #1008's refund was issued 9 days
ago (inside the 10 business days a bank may take), #1013's parcel arrived 2 days ago.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Dict

import pytest
from rasa_sdk.events import SlotSet
from sqlalchemy import select, update

from actions.formatting import day, money
from actions.order_forms import ValidateChangeAddressForm
from actions.refunds import (
    ActionRefundStatus,
    ValidateRefundStatusForm,
)
from actions.return_form import ValidateReturnForm
from core import clock
from store.db import session_scope
from store.info import store_timezone
from store.models import Order, Return
from tests.actions.order_support import AVA, DOMAIN, ELLA, GIA, make_tracker, responses, run

pytestmark = pytest.mark.usefixtures("order_store")
RESET = SlotSet("order_number", None)


def verified(number: str, contact: str) -> Dict[str, Any]:
    return {"slots": {"order_number": number, "verified_order": number, "order_contact": contact}}


def _return_row(rma: str) -> Return:
    with session_scope() as session:
        return session.execute(select(Return).where(Return.rma == rma)).scalar_one()


def _local_day(moment: datetime) -> str:
    with session_scope() as session:
        return day(moment.astimezone(store_timezone(session)).date())


# -- the answer ---------------------------------------------------------------------------------


async def test_a_refunded_order_gives_the_amount_the_day_the_method_and_the_bank_date() -> None:
    events, said = await run(ActionRefundStatus(), make_tracker(**verified("1008", GIA)))
    ret = _return_row("RMA-1008-1")
    assert events == [RESET]
    assert responses(said) == ["utter_refund_refunded"]
    assert ret.refunded_at is not None and ret.refund_amount is not None
    facts = said[0]
    assert (facts["order"], facts["rma"], facts["bank_days"]) == ("#1008", "RMA-1008-1", "10")
    assert facts["amount"] == money(ret.refund_amount)
    assert facts["refunded"] == _local_day(ret.refunded_at)
    assert facts["expected"]  # the due date itself is the store's rule (tests/store/test_refunds.py)


async def test_a_received_return_says_when_it_arrived_and_when_the_refund_is_due() -> None:
    events, said = await run(ActionRefundStatus(), make_tracker(**verified("1013", ELLA)))
    ret = _return_row("RMA-1013-1")
    assert events == [RESET]
    assert responses(said) == ["utter_refund_received"]
    assert ret.received_at is not None
    assert said[0]["received"] == _local_day(ret.received_at)
    assert said[0]["items"] == "Fisherman Sweater - M / Charcoal"
    assert said[0]["processing_days"] == "5" and said[0]["expected"]


async def test_a_late_refund_apologises_and_offers_a_person_with_the_reason() -> None:
    long_ago = clock.now() - timedelta(days=40)
    with session_scope() as session:
        session.execute(update(Return).where(Return.rma == "RMA-1008-1").values(refunded_at=long_ago))
    events, said = await run(ActionRefundStatus(), make_tracker(**verified("1008", GIA)))
    assert responses(said) == ["utter_refund_refunded", "utter_refund_late"]
    assert events == [RESET, SlotSet("handoff_reason", "late_refund")]


async def test_store_credit_has_its_own_answer() -> None:
    with session_scope() as session:
        session.execute(update(Return).where(Return.rma == "RMA-1008-1").values(refund_method="store_credit"))
    events, said = await run(ActionRefundStatus(), make_tracker(**verified("1008", GIA)))
    assert (events, responses(said)) == ([RESET], ["utter_refund_store_credit"])


async def test_an_order_without_a_return_says_so_and_offers_to_start_one() -> None:
    events, said = await run(ActionRefundStatus(), make_tracker(**verified("1002", AVA)))
    assert events == [RESET]
    assert responses(said) == ["utter_refund_none"]
    assert said[0]["order"] == "#1002"


async def test_a_cancelled_order_reports_its_refund() -> None:
    with session_scope() as session:
        refunded = session.execute(select(Order.refunded_amount).where(Order.number == 1007)).scalar_one()
    events, said = await run(
        ActionRefundStatus(), make_tracker(**verified("1007", "finn.cancel@example.com"))
    )
    assert (events, responses(said)) == ([RESET], ["utter_refund_cancelled"])
    assert said[0]["amount"] == money(refunded)


async def test_nothing_is_said_about_an_order_the_form_did_not_verify() -> None:
    tracker = make_tracker(slots={"order_number": "1008", "order_contact": GIA})
    events, said = await run(ActionRefundStatus(), tracker)
    assert (events, said) == ([RESET], [])


async def test_the_store_being_down_is_an_apology_and_a_way_to_a_person(store_down: None) -> None:
    events, said = await run(ActionRefundStatus(), make_tracker(**verified("1008", GIA)))
    assert responses(said) == ["utter_store_unavailable"]
    assert events == [RESET, SlotSet("handoff_reason", "action_failed")]


def test_the_responses_beside_the_steps_are_in_the_domain() -> None:
    # one per step is checked with every other code in tests/actions/test_codes.py
    extra = {"utter_refund_store_credit", "utter_refund_refunded_undated", "utter_refund_late"}
    assert extra <= set(DOMAIN["responses"])


# -- the verified order stays in context ---------------------------------------------------------


def activation(intent: str, **slots: Any) -> Dict[str, Any]:
    """A form starting: the contact kept from earlier is a pre-filled slot to validate."""
    return {
        "intent": intent,
        "slots": slots,
        "set_this_turn": {"order_contact": slots["order_contact"]},
    }


async def test_refund_follow_up_uses_the_order_verified_earlier() -> None:
    tracker = make_tracker(**activation("refund_status", verified_order="1008", order_contact=GIA))
    events, said = await run(ValidateRefundStatusForm(), tracker)
    assert said == []
    assert events == [
        SlotSet("order_contact", GIA),
        SlotSet("order_number", "1008"),
        SlotSet("order_contact", GIA),
        SlotSet("verified_order", "1008"),
        SlotSet("order_lookup_attempts", None),
    ]


async def test_return_follow_up_goes_straight_to_the_items_of_the_order_in_context() -> None:
    tracker = make_tracker(**activation("start_return", verified_order="1002", order_contact=AVA))
    events, said = await run(ValidateReturnForm(), tracker)
    assert said == []
    assert SlotSet("order_number", "1002") in events and SlotSet("verified_order", "1002") in events
    assert events[-1] == SlotSet("requested_slot", "return_items")


async def test_address_follow_up_checks_the_order_in_context_again() -> None:
    tracker = make_tracker(**activation("change_address", verified_order="1001", order_contact=AVA))
    events, said = await run(ValidateChangeAddressForm(), tracker)
    assert responses(said) == ["utter_cannot_change_address_shipped"]  # #1001 is on its way
    assert SlotSet("order_number", "1001") in events


async def test_without_a_verified_order_the_form_asks_for_the_number() -> None:
    tracker = make_tracker(
        intent="refund_status", set_this_turn={"order_contact": GIA}, slots={"order_contact": GIA}
    )
    events, said = await run(ValidateRefundStatusForm(), tracker)
    assert said == [] and events == [SlotSet("order_contact", GIA)]


async def test_a_number_named_in_the_message_replaces_the_order_in_context() -> None:
    # #1003 is Ben's: the contact kept for Gia's #1008 does not open it, so the form asks for
    # the contact on #1003 (and forgets the old order) instead of answering about #1008.
    tracker = make_tracker(
        intent="refund_status",
        slots={"verified_order": "1008", "order_contact": GIA},
        set_this_turn={"order_number": "#1003"},
    )
    events, said = await run(ValidateRefundStatusForm(), tracker)
    assert said == []
    assert events == [
        SlotSet("order_number", "1003"),
        SlotSet("order_contact", None),
        SlotSet("verified_order", None),
    ]
