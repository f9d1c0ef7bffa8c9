"""Return eligibility (window, final sale, partial fulfilment) and idempotent RMAs, also under concurrency."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import delete, select

from store.db import session_scope
from store.info import store_timezone
from store.models import Return
from store.returns import create_return, return_eligibility, return_policy
from tests.store.conftest import NOW

AVA = "ava.shopper@example.com"


def _items(session, number, contact, now=NOW):
    return {
        e.title.split(" - ")[0]: e
        for e in return_eligibility(session, order_number=number, contact=contact, now=now)
    }


def test_policy_comes_from_returns_yaml(session):
    policy = return_policy(session)
    assert policy.window_days == 30 and policy.final_sale_categories == ("Swimwear",)
    assert str(policy.return_shipping_cost) == "6.95" and policy.refund_method == "original_payment"


def test_window_last_day_is_eligible_and_one_day_later_is_expired(session):
    tz = store_timezone(session)
    pocket = _items(session, "1010", AVA)["Pocket Tee"]
    assert pocket.eligible and pocket.window_ends == NOW.astimezone(tz).date() + timedelta(days=1)
    last_minute = datetime.combine(pocket.window_ends, time(23, 59), tzinfo=tz)
    assert _items(session, "1010", AVA, now=last_minute)["Pocket Tee"].eligible
    next_day = datetime.combine(pocket.window_ends + timedelta(days=1), time(0, 1), tzinfo=tz)
    expired = _items(session, "1010", AVA, now=next_day)["Pocket Tee"]
    assert (expired.eligible, expired.reason) == (False, "window_expired")


def test_final_sale_by_category_and_by_tag(session):
    assert _items(session, "1010", AVA)["Swim Trunks"].reason == "final_sale"
    ella = _items(session, "1006", "ella.returns@example.com")
    assert ella["Ringer Tee"].reason == "final_sale"
    assert ella["Oxford Button-Down Shirt"].reason == "window_expired"


def test_partly_fulfilled_and_undelivered_items_are_not_returnable(session):
    chloe = _items(session, "1004", "chloe.customer@example.com")
    assert chloe["Linen Wrap Dress"].reason == "not_delivered"
    assert chloe["Chelsea Boot"].reason == "not_delivered"
    assert chloe["Chelsea Boot"].window_ends is None


def test_cancelled_and_returned_orders(session):
    assert {e.reason for e in _items(session, "1007", "finn.cancel@example.com").values()} == {
        "order_cancelled"
    }
    assert {e.reason for e in _items(session, "1008", "gia.returned@example.com").values()} == {
        "already_returned"
    }


def test_eligibility_needs_the_right_contact(session):
    assert return_eligibility(session, order_number="1002", contact="ben.buyer@example.com", now=NOW) is None
    assert return_eligibility(session, order_number="424242", contact=AVA, now=NOW) is None


def test_create_return_is_idempotent(session):
    jeans = _items(session, "1002", AVA)["Slim Fit Selvedge Jeans"]
    first = create_return(
        session,
        order_number="1002",
        contact=AVA,
        items=[(jeans.line_item_id, 1)],
        reason="too_small",
        resolution="refund",
        now=NOW,
    )
    again = create_return(
        session,
        order_number="#1002",
        contact="+1 415 555 0101",
        items=[(jeans.line_item_id, 1)],
        reason="too_small",
        resolution="refund",
        now=NOW,
    )
    assert first.ok and first.created and first.rma == "RMA-1002-1"
    assert again.ok and not again.created and again.rma == first.rma
    after = _items(session, "1002", AVA)["Slim Fit Selvedge Jeans"]
    assert (after.eligible, after.reason) == (False, "already_returned")


@pytest.mark.parametrize(
    "items,reason,resolution,sku,expected",
    [
        ("swim", "too_small", "refund", None, "not_eligible"),
        ("pocket", "bored", "refund", None, "invalid_reason"),
        ("pocket", "too_small", "teleport", None, "invalid_resolution"),
        ("pocket", "too_small", "exchange", "NO-SUCH-SKU", "exchange_unavailable"),
        ("other", "too_small", "refund", None, "invalid_items"),
    ],
)
def test_create_return_refusals(session, items, reason, resolution, sku, expected):
    eligibility = _items(session, "1010", AVA)
    line = {
        "swim": eligibility["Swim Trunks"].line_item_id,
        "pocket": eligibility["Pocket Tee"].line_item_id,
        "other": 999999,
    }[items]
    result = create_return(
        session,
        order_number="1010",
        contact=AVA,
        items=[(line, 1)],
        reason=reason,
        resolution=resolution,
        exchange_sku=sku,
        now=NOW,
    )
    assert (result.ok, result.reason, result.rma) == (False, expected, None)
    if expected == "not_eligible":
        assert [e.reason for e in result.ineligible] == ["final_sale"]


def test_exchange_for_an_in_stock_sku(session):
    from store.catalog import get_product

    pocket = _items(session, "1010", AVA)["Pocket Tee"]
    in_stock = next(
        v for v in get_product(session, product="Pocket Tee").variants if v.size == "L" and v.available
    )
    result = create_return(
        session,
        order_number="1010",
        contact=AVA,
        items=[(pocket.line_item_id, 1)],
        reason="too_small",
        resolution="exchange",
        exchange_sku=in_stock.sku.lower(),
        now=NOW,
    )
    assert result.ok and result.created


def test_two_concurrent_requests_for_the_same_item_give_one_rma(store_engine):
    with session_scope(store_engine) as db:
        line = _items(db, "1012", "ben.buyer@example.com")["Trailmark Summit Hiker"].line_item_id
    barrier, results, errors = threading.Barrier(2), [], []

    def request() -> None:
        try:
            barrier.wait(timeout=10)
            with session_scope(store_engine) as db:
                results.append(
                    create_return(
                        db,
                        order_number="1012",
                        contact="ben.buyer@example.com",
                        items=[(line, 1)],
                        reason="too_small",
                        resolution="refund",
                        now=NOW,
                    )
                )
        except Exception as exc:  # surfaced below with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=request) for _ in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        assert len({r.rma for r in results}) == 1 and sorted(r.created for r in results) == [False, True]
        with session_scope(store_engine) as db:
            rmas = (
                db.execute(select(Return.rma).join(Return.order).where(Return.rma.like("RMA-1012-%")))
                .scalars()
                .all()
            )
        assert rmas == [results[0].rma]
    finally:
        with session_scope(store_engine) as db:
            db.execute(
                delete(Return)
                .where(Return.rma.like("RMA-1012-%"))
                .execution_options(synchronize_session=False)
            )
