"""Where is my refund, through the REST channel against the real servers and the sample store.

Demo #1013 (Ella) was returned: the parcel reached the warehouse 2 days ago and the refund is not
issued yet. Demo #1008 (Gia) was refunded 9 days ago. The replies' facts (dates, amounts) are
checked against the store database; which response answered, against the tracker.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Optional

import pytest
from sqlalchemy import select

from actions.formatting import day, money
from store.db import make_engine, session_scope
from store.info import store_timezone
from store.models import Return
from tests.support.chat import say, tracker
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def _sender() -> str:
    return f"refunds-{uuid.uuid4().hex[:10]}"


def _turn(stack: Stack, sender: str, text: str) -> tuple[str, List[Optional[str]], Dict[str, Any]]:
    """Send ``text``; return the replies' text, the response names and the slots set this turn."""
    replies = say(stack, sender, text)
    events = tracker(stack, sender)["events"]
    last = max(i for i, e in enumerate(events) if e["event"] == "user")
    turn = events[last + 1 :]
    names = [(e.get("metadata") or {}).get("utter_action") for e in turn if e["event"] == "bot"]
    slots = {e["name"]: e["value"] for e in turn if e["event"] == "slot"}
    return "\n".join(r.get("text", "") for r in replies), names, slots


def _return_facts(store_db_url: str, rma: str) -> Dict[str, str]:
    with session_scope(make_engine(store_db_url)) as session:
        tz = store_timezone(session)
        ret = session.execute(select(Return).where(Return.rma == rma)).scalar_one()
        local = {
            name: day(value.astimezone(tz).date())
            for name, value in (("received", ret.received_at), ("refunded", ret.refunded_at))
            if value is not None
        }
        amount = money(ret.refund_amount) if ret.refund_amount is not None else ""
        return {**local, "amount": amount}


def test_refund_of_a_returned_order_says_when_the_parcel_arrived(stack: Stack, store_db_url: str) -> None:
    sender = _sender()
    _, names, _ = _turn(stack, sender, "any news on my refund?")
    assert names == ["utter_ask_order_number"]
    _, names, _ = _turn(stack, sender, "#1013")
    assert names == ["utter_ask_order_contact"]
    text, names, slots = _turn(stack, sender, "ella.returns@example.com")
    assert names == ["utter_refund_received"]
    assert slots.get("verified_order") == "1013"
    facts = _return_facts(store_db_url, "RMA-1013-1")
    assert "RMA-1013-1" in text and facts["received"] in text


def test_refund_of_a_refunded_order_gives_the_day_and_the_amount(stack: Stack, store_db_url: str) -> None:
    sender = _sender()
    _turn(stack, sender, "where is my refund")
    _turn(stack, sender, "#1008")
    text, names, _ = _turn(stack, sender, "gia.returned@example.com")
    assert names == ["utter_refund_refunded"]
    facts = _return_facts(store_db_url, "RMA-1008-1")
    assert facts["amount"] in text and facts["refunded"] in text


def test_a_follow_up_about_the_same_order_is_not_asked_for_the_order_again(stack: Stack) -> None:
    sender = _sender()
    _turn(stack, sender, "where is my order?")
    _turn(stack, sender, "#1008")
    _, names, slots = _turn(stack, sender, "gia.returned@example.com")
    assert names == ["utter_order_returned"] and slots.get("verified_order") == "1008"
    text, names, slots = _turn(stack, sender, "where's my refund for it?")
    assert names == ["utter_refund_refunded"]  # no utter_ask_order_number, no contact question
    assert slots.get("order_number") == "1008" and "#1008" in text


def test_a_return_follow_up_starts_at_the_items_of_the_verified_order(stack: Stack) -> None:
    sender = _sender()
    _turn(stack, sender, "where is my order?")
    _turn(stack, sender, "#1002")
    _turn(stack, sender, "ava.shopper@example.com")
    text, names, slots = _turn(stack, sender, "i want to send it back")
    assert names == ["utter_ask_return_items_several"]  # the jeans and the sneakers can go back
    assert slots.get("requested_slot") == "return_items" and slots.get("order_number") == "1002"
    assert "Slim Fit Selvedge Jeans" in text
