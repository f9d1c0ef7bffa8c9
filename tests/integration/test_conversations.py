"""Complete order conversations through the REST channel against the real servers and the sample
store: each turn's response names and slots from the tracker, and the facts in the replies (order
numbers, prices, tracking) checked against the store database itself.

The conversations that change orders (a return, a cancellation) run on a second pair of servers
with a copy of the store (``own_stack`` in tests/support/stacks.py), so the session's store stays
as the sample made it for every other test.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Dict, List

import pytest
from sqlalchemy import select

from actions.formatting import day, money
from store.db import make_engine, session_scope
from store.models import Fulfillment, Handoff, LineItem, Order, Return
from tests.support.chat import chat, rest_id
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def _sender() -> str:
    return f"orders-{uuid.uuid4().hex[:10]}"


def _payload(buttons: List[Dict[str, Any]], title_start: str) -> str:
    return next(b["payload"] for b in buttons if b["title"].startswith(title_start))


def test_order_status_after_verification_reports_the_stores_tracking(stack: Stack, store_db_url: str) -> None:
    sender = _sender()
    assert chat(stack, sender, "where is my order?").responses == ["utter_ask_order_number"]
    assert chat(stack, sender, "#1001").responses == ["utter_ask_order_contact"]
    verified = chat(stack, sender, "ava.shopper@example.com")
    assert verified.responses == ["utter_order_in_transit"]
    assert verified.slots["verified_order"] == "1001"
    reply = verified.text
    with session_scope(make_engine(store_db_url)) as session:
        order = session.execute(select(Order).where(Order.number == 1001)).scalar_one()
        parcel = session.execute(select(Fulfillment).where(Fulfillment.order_id == order.id)).scalar_one()
        titles = session.execute(select(LineItem.title).where(LineItem.order_id == order.id)).scalars().all()
        facts = [order.name, parcel.carrier, parcel.tracking_url, day(parcel.estimated_delivery), *titles]
    for fact in facts:
        assert fact in reply, f"{fact!r} missing from {reply!r}"


def test_wrong_email_does_not_reveal_the_order(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "where is my order")
    chat(stack, sender, "#1001")
    refused = chat(stack, sender, "ben.buyer@example.com")
    assert refused.responses == ["utter_order_not_found", "utter_ask_order_number"]  # asked again
    assert "verified_order" not in refused.slots or refused.slots["verified_order"] is None
    assert "Harbor Rain Shell" not in refused.text and "USPS" not in refused.text


def test_return_ends_with_an_rma_written_to_the_store(own_stack: Stack, own_store: str) -> None:
    sender = _sender()
    chat(own_stack, sender, "I want to return something")
    chat(own_stack, sender, "1002")
    items = chat(own_stack, sender, "ava.shopper@example.com")
    chat(own_stack, sender, _payload(items.buttons(), "Slim Fit Selvedge Jeans"))  # the item's button
    chat(own_stack, sender, "too small")
    chat(own_stack, sender, "/affirm")  # unworn, tags on
    assert chat(own_stack, sender, "refund").responses == ["utter_ask_return_confirmed_refund"]
    done = chat(own_stack, sender, "/affirm")
    assert done.responses == ["utter_return_created_refund"]
    match = re.search(r"RMA-\d+-\d+", done.text)
    assert match and done.slots["last_rma"] == match.group(0), done.text
    with session_scope(make_engine(own_store)) as session:
        ret = session.execute(select(Return).where(Return.rma == match.group(0))).scalar_one()
        order = session.get(Order, ret.order_id)
        returned = [session.get(LineItem, item.line_item_id).title for item in ret.items]
        assert (order.number, ret.reason, ret.resolution, ret.status) == (
            1002,
            "too_small",
            "refund",
            "requested",
        )
        assert returned == ["Slim Fit Selvedge Jeans - 32 / Indigo"]


def test_natural_answers_all_the_way_through_a_boot_return(own_stack: Stack, own_store: str) -> None:
    """Issue #12: a yes in the shopper's words at the condition and at the confirmation, and the
    refund named before the form asks for it."""
    sender = _sender()
    chat(own_stack, sender, "those Trailmark boots run small, I'd like to send them back")
    chat(own_stack, sender, "order 1012")
    turn = chat(own_stack, sender, "ben.buyer@example.com")
    answers = {"utter_ask_return_items": "the Trailmark ones", "utter_ask_return_reason": "too small"}
    for _ in range(2):  # the items and the reason, unless read from the opening message
        asked = next((r for r in answers if (turn.responses[-1] or "").startswith(r)), None)
        if asked is None:
            break
        turn = chat(own_stack, sender, answers.pop(asked))
    assert turn.responses[-1] == "utter_ask_return_condition", turn.responses
    noted = chat(own_stack, sender, "I'd just like my money back")
    assert noted.responses == ["utter_return_preference_refund", "utter_ask_return_condition"]
    unworn = chat(own_stack, sender, "yeah, only tried them on indoors")
    assert unworn.responses == ["utter_ask_return_confirmed_refund"]
    done = chat(own_stack, sender, "sure, send it through")
    assert done.responses == ["utter_return_created_refund"]
    match = re.search(r"RMA-\d+-\d+", done.text)
    assert match, done.text
    with session_scope(make_engine(own_store)) as session:
        ret = session.execute(select(Return).where(Return.rma == match.group(0))).scalar_one()
        number = session.get(Order, ret.order_id).number
        assert (number, ret.reason, ret.resolution) == (1012, "too_small", "refund")


def test_cancelling_an_unshipped_order_cancels_it_in_the_store(
    own_stack: Stack, own_store: str, store_db_url: str
) -> None:
    sender = _sender()
    chat(own_stack, sender, "please cancel my order")
    chat(own_stack, sender, "#1003")
    question = chat(own_stack, sender, "ben.buyer@example.com")
    with session_scope(make_engine(own_store)) as session:
        total = money(session.execute(select(Order.total).where(Order.number == 1003)).scalar_one())
    assert question.responses == ["utter_ask_cancel_confirmed"] and total in question.text
    # a puzzled reply ("huh" reads as "uh huh", a yes, to the classifier) cancels nothing
    puzzled = chat(own_stack, sender, "huh")
    assert "utter_order_cancel_done" not in puzzled.responses
    assert puzzled.responses[-1] == "utter_ask_cancel_confirmed", puzzled.responses
    with session_scope(make_engine(own_store)) as session:
        assert session.execute(select(Order.cancelled_at).where(Order.number == 1003)).scalar_one() is None
    done = chat(own_stack, sender, "/affirm")
    assert done.responses == ["utter_order_cancel_done"] and total in done.text
    with session_scope(make_engine(own_store)) as session:
        order = session.execute(select(Order).where(Order.number == 1003)).scalar_one()
        assert order.cancelled_at is not None
        assert order.financial_status in ("refunded", "voided")
    # The session's store, which every other test reads, still has #1003 open.
    with session_scope(make_engine(store_db_url)) as session:
        assert session.execute(select(Order.cancelled_at).where(Order.number == 1003)).scalar_one() is None


def test_a_problem_with_a_high_value_order_goes_straight_to_a_person(
    own_stack: Stack, own_store: str
) -> None:
    """#1009 ($504.98, over store.yaml's $250 threshold) has shipped: it cannot be cancelled."""
    sender = _sender()
    chat(own_stack, sender, "please cancel my order")
    chat(own_stack, sender, "#1009")
    refused = chat(own_stack, sender, "hugo.highvalue@example.com")
    assert refused.responses == ["utter_cannot_cancel_shipped", "utter_handoff_queued"]
    assert "action_handoff" in refused.actions and "action_cancel_order" not in refused.actions
    assert "pause" in [e["event"] for e in refused.events]
    assert "#1009" in refused.text
    with session_scope(make_engine(own_store)) as session:
        handoff = session.execute(
            select(Handoff).where(Handoff.conversation_id == rest_id(sender))
        ).scalar_one()
        assert (handoff.reason, handoff.status) == ("high_value_order", "queued")
        assert handoff.context["orders"][0]["number"] == 1009
        assert session.execute(select(Order.cancelled_at).where(Order.number == 1009)).scalar_one() is None
