"""Three complete order conversations through the REST channel against the real servers and the
sample store, with the facts in the replies checked against the store database itself.

The conversations that change orders (a return, a cancellation) run on a second pair of servers
with a copy of the store, so the session's store stays as the sample made it for every other test.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from sqlalchemy import select

from actions.formatting import day, money
from store.db import make_engine, session_scope
from store.models import Fulfillment, LineItem, Order, Return
from tests.support.chat import say
from tests.support.stacks import copy_store, second_stack_env
from tools.launcher import Stack

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def own_store(store_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return copy_store(store_db_url, tmp_path_factory.mktemp("own_store"))


@pytest.fixture(scope="module")
def own_stack(
    trained_model: Path, stack_env: Dict[str, str], own_store: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("own_stack")
    env = second_stack_env(stack_env, tmp, DATABASE_URL=own_store)
    running = Stack(model=trained_model, env=env, log_dir=tmp / "logs").start()
    try:
        yield running
    finally:
        running.stop()


def _sender() -> str:
    return f"orders-{uuid.uuid4().hex[:10]}"


def _text(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def _payload(replies: List[Dict[str, Any]], title_start: str) -> str:
    buttons = [b for r in replies for b in r.get("buttons", [])]
    return next(b["payload"] for b in buttons if b["title"].startswith(title_start))


def test_order_status_after_verification_reports_the_stores_tracking(stack: Stack, store_db_url: str) -> None:
    sender = _sender()
    assert "order number" in _text(say(stack, sender, "where is my order?"))
    assert "email address or phone number" in _text(say(stack, sender, "#1001"))
    reply = _text(say(stack, sender, "ava.shopper@example.com"))
    with session_scope(make_engine(store_db_url)) as session:
        order = session.execute(select(Order).where(Order.number == 1001)).scalar_one()
        parcel = session.execute(select(Fulfillment).where(Fulfillment.order_id == order.id)).scalar_one()
        titles = session.execute(select(LineItem.title).where(LineItem.order_id == order.id)).scalars().all()
        facts = [order.name, parcel.carrier, parcel.tracking_url, day(parcel.estimated_delivery), *titles]
    for fact in facts:
        assert fact in reply, f"{fact!r} missing from {reply!r}"


def test_wrong_email_does_not_reveal_the_order(stack: Stack) -> None:
    sender = _sender()
    say(stack, sender, "where is my order")
    say(stack, sender, "#1001")
    reply = _text(say(stack, sender, "ben.buyer@example.com"))
    assert "can't find an order with those details" in reply
    assert "Harbor Rain Shell" not in reply and "USPS" not in reply


def test_return_ends_with_an_rma_written_to_the_store(own_stack: Stack, own_store: str) -> None:
    sender = _sender()
    say(own_stack, sender, "I want to return something")
    say(own_stack, sender, "1002")
    items = say(own_stack, sender, "ava.shopper@example.com")
    say(own_stack, sender, _payload(items, "Slim Fit Selvedge Jeans"))  # the item's button
    say(own_stack, sender, "too small")
    say(own_stack, sender, "/affirm")  # unworn, tags on
    confirm = say(own_stack, sender, "refund")
    assert "Shall I set it up?" in _text(confirm)
    done = _text(say(own_stack, sender, "/affirm"))
    match = re.search(r"RMA-\d+-\d+", done)
    assert match, done
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


def test_cancelling_an_unshipped_order_cancels_it_in_the_store(
    own_stack: Stack, own_store: str, store_db_url: str
) -> None:
    sender = _sender()
    say(own_stack, sender, "please cancel my order")
    say(own_stack, sender, "#1003")
    question = _text(say(own_stack, sender, "ben.buyer@example.com"))
    with session_scope(make_engine(own_store)) as session:
        total = money(session.execute(select(Order.total).where(Order.number == 1003)).scalar_one())
    assert total in question and "Cancel it?" in question
    done = _text(say(own_stack, sender, "/affirm"))
    assert "is cancelled" in done and total in done
    with session_scope(make_engine(own_store)) as session:
        order = session.execute(select(Order).where(Order.number == 1003)).scalar_one()
        assert order.cancelled_at is not None
        assert order.financial_status in ("refunded", "voided")
    # The session's store, which every other test reads, still has #1003 open.
    with session_scope(make_engine(store_db_url)) as session:
        assert session.execute(select(Order.cancelled_at).where(Order.number == 1003)).scalar_one() is None
