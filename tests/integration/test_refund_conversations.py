"""Where is my refund, through the REST channel against the real servers and the sample store.

Demo #1013 (Ella) was returned: the parcel reached the warehouse 2 days ago and the refund is not
issued yet. Demo #1008 (Gia) was refunded 9 days ago. The replies' facts (dates, amounts) are
checked against the store database; which response answered, against the tracker.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Tuple

import pytest
from sqlalchemy import select

from actions.formatting import day, money
from store.db import make_engine, session_scope
from store.info import store_timezone
from store.models import Return
from tests.support.chat import Turn, chat
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def _sender() -> str:
    return f"refunds-{uuid.uuid4().hex[:10]}"


def _set(turn: Turn) -> List[Tuple[str, Any]]:
    """Every slot event of the turn in order (``Turn.slots`` keeps only the last value of each)."""
    return [(e["name"], e["value"]) for e in turn.events if e["event"] == "slot"]


def _titles(turn: Turn) -> List[str]:
    return [b["title"] for b in turn.buttons()]


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
    assert chat(stack, sender, "any news on my refund?").responses == ["utter_ask_order_number"]
    assert chat(stack, sender, "#1013").responses == ["utter_ask_order_contact"]
    answer = chat(stack, sender, "ella.returns@example.com")
    assert answer.responses == ["utter_refund_received"]
    assert ("verified_order", "1013") in _set(answer)
    facts = _return_facts(store_db_url, "RMA-1013-1")
    assert "RMA-1013-1" in answer.text and facts["received"] in answer.text


def test_refund_of_a_refunded_order_gives_the_day_and_the_amount(stack: Stack, store_db_url: str) -> None:
    sender = _sender()
    chat(stack, sender, "where is my refund")
    chat(stack, sender, "#1008")
    answer = chat(stack, sender, "gia.returned@example.com")
    assert answer.responses == ["utter_refund_refunded"]
    facts = _return_facts(store_db_url, "RMA-1008-1")
    assert facts["amount"] in answer.text and facts["refunded"] in answer.text


def test_a_follow_up_about_the_same_order_is_not_asked_for_the_order_again(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "where is my order?")
    chat(stack, sender, "#1008")
    status = chat(stack, sender, "gia.returned@example.com")
    assert status.responses == ["utter_refund_refunded"] and ("verified_order", "1008") in _set(status)
    refund = chat(stack, sender, "where's my refund for it?")
    assert refund.responses == ["utter_refund_refunded"]  # no question for the number or the contact
    assert ("order_number", "1008") in _set(refund) and "#1008" in refund.text


def test_a_return_follow_up_starts_at_the_items_of_the_verified_order(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "where is my order?")
    chat(stack, sender, "#1002")
    chat(stack, sender, "ava.shopper@example.com")
    follow_up = chat(stack, sender, "i want to send it back")
    assert follow_up.responses == ["utter_ask_return_items_several"]  # the jeans and the sneakers
    assert ("order_number", "1002") in _set(follow_up)
    assert ("requested_slot", "return_items") in _set(follow_up)
    assert _titles(follow_up) == [
        "All of them",
        "Slim Fit Selvedge Jeans - 32 / Indigo",
        "Court Classic Sneaker - US 9.5 / White",
    ]


def test_a_new_session_forgets_the_verified_order(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "where is my refund")
    chat(stack, sender, "#1008")
    assert chat(stack, sender, "gia.returned@example.com").responses == ["utter_refund_refunded"]
    chat(stack, sender, "/session_start")  # what the widget sends on sign-out; also an expired session
    again = chat(stack, sender, "where's my refund for it?")
    assert again.responses == ["utter_ask_order_number"]
    assert ("order_number", "1008") not in _set(again)


def test_a_yes_to_the_offer_of_a_return_starts_it_for_the_verified_order(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "has my refund come through?")
    chat(stack, sender, "1002")
    none = chat(stack, sender, "ava.shopper@example.com")
    assert none.responses == ["utter_refund_none"]  # nothing from #1002 has come back
    started = chat(stack, sender, "ok yes please")
    assert started.responses == ["utter_ask_return_items_several"]  # no question for the order again
    assert ("requested_slot", "return_items") in _set(started)


def test_a_no_to_the_offer_of_a_return_starts_nothing(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "where's my money back")
    chat(stack, sender, "#1002")
    assert chat(stack, sender, "ava.shopper@example.com").responses == ["utter_refund_none"]
    declined = chat(stack, sender, "no thanks")
    assert declined.responses == ["utter_return_not_started"]
    assert ("requested_slot", "return_items") not in _set(declined)
