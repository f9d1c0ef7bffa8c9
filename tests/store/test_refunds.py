"""Refund status of a verified order: each step, the policy's due dates, and when it is late.

The sample is loaded as of ``NOW`` (Wednesday 11 June 2025, New York): demo #1008 was refunded on
Monday 2 June, #1013's parcel arrived on Monday 9 June. Policy: refund issued within 5 business
days of arrival, then up to 10 business days at the bank.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import select

from store.codes import RefundState
from store.info import store_timezone
from store.models import Order, Return
from store.refunds import refund_status
from store.returns import create_return
from tests.store.conftest import NOW

GIA, ELLA, FINN, AVA = (
    "gia.returned@example.com",
    "ella.returns@example.com",
    "finn.cancel@example.com",
    "ava.shopper@example.com",
)


def _at(session, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=store_timezone(session))


def test_a_refunded_return_gives_the_day_amount_method_and_the_bank_date(session):
    status = refund_status(session, order_number="1008", contact=GIA, now=NOW)
    total = session.execute(select(Order.total).where(Order.number == 1008)).scalar_one()
    assert status is not None
    assert (status.order, status.state, status.rma) == ("#1008", RefundState.REFUNDED, "RMA-1008-1")
    assert (status.received_on, status.inspected_on, status.refunded_on) == (
        date(2025, 5, 31),
        date(2025, 6, 1),
        date(2025, 6, 2),
    )
    assert (status.amount, status.method, status.bank_days) == (total, "original_payment", 10)
    assert status.items == ("Floral Tea Dress - M / Black",)
    # ten business days from Monday 2 June: Monday 16 June (no holiday in between)
    assert status.expected_by == date(2025, 6, 16) and not status.late


def test_a_refund_is_late_the_day_after_the_bank_time(session):
    last_day = refund_status(
        session, order_number="1008", contact=GIA, now=_at(session, date(2025, 6, 16), 23, 59)
    )
    next_day = refund_status(
        session, order_number="1008", contact=GIA, now=_at(session, date(2025, 6, 17), 0, 1)
    )
    assert last_day is not None and next_day is not None
    assert (last_day.late, next_day.late) == (False, True)


def test_a_received_return_is_due_five_business_days_after_arrival(session):
    status = refund_status(session, order_number="1013", contact=ELLA, now=NOW)
    assert status is not None
    assert (status.state, status.rma, status.received_on) == (
        RefundState.RECEIVED,
        "RMA-1013-1",
        date(2025, 6, 9),
    )
    assert (status.refunded_on, status.amount, status.method) == (None, None, None)
    assert status.expected_by == date(2025, 6, 16) and not status.late
    later = refund_status(session, order_number="1013", contact=ELLA, now=_at(session, date(2025, 6, 17), 9))
    assert later is not None and later.late


def test_an_inspected_return_keeps_the_arrival_due_date(session):
    ret = session.execute(select(Return).where(Return.rma == "RMA-1013-1")).scalar_one()
    ret.inspected_at = _at(session, date(2025, 6, 10), 12)
    session.flush()
    status = refund_status(session, order_number="1013", contact=ELLA, now=NOW)
    assert status is not None
    assert (status.state, status.inspected_on, status.expected_by) == (
        RefundState.INSPECTED,
        date(2025, 6, 10),
        date(2025, 6, 16),
    )


def test_store_credit_is_there_at_once_and_never_late(session):
    ret = session.execute(select(Return).where(Return.rma == "RMA-1008-1")).scalar_one()
    ret.refund_method = "store_credit"
    session.flush()
    status = refund_status(session, order_number="1008", contact=GIA, now=_at(session, date(2025, 8, 1), 9))
    assert status is not None
    assert (status.method, status.bank_days, status.expected_by, status.late) == (
        "store_credit",
        None,
        date(2025, 6, 2),
        False,
    )


def test_a_new_return_waits_for_its_parcel(session):
    order = session.execute(select(Order).where(Order.number == 1002)).scalar_one()
    jeans = next(item for item in order.line_items if item.title.startswith("Slim Fit"))
    made = create_return(
        session, order_number="1002", contact=AVA, items=[(jeans.id, 1)], reason="too_small",
        resolution="refund", now=NOW,
    )  # fmt: skip
    status = refund_status(session, order_number="1002", contact=AVA, now=NOW)
    assert status is not None
    assert (status.state, status.rma, status.requested_on) == (
        RefundState.AWAITING_PARCEL,
        made.rma,
        NOW.date(),
    )
    assert (status.expected_by, status.late, status.processing_days) == (None, False, 5)


def test_an_order_without_a_return_says_so(session):
    status = refund_status(session, order_number="1002", contact=AVA, now=NOW)
    assert status is not None
    assert (status.state, status.rma, status.amount) == (RefundState.NO_RETURN, None, None)


def test_a_cancelled_order_is_refunded_in_full_on_the_day_it_was_cancelled(session):
    order = session.execute(select(Order).where(Order.number == 1007)).scalar_one()
    status = refund_status(session, order_number="1007", contact=FINN, now=NOW)
    assert status is not None
    assert (status.state, status.amount, status.method) == (
        RefundState.CANCELLED,
        order.refunded_amount,
        "original_payment",
    )
    assert status.refunded_on == order.cancelled_at.astimezone(store_timezone(session)).date()
    assert status.amount > Decimal("0")


def test_someone_elses_contact_learns_nothing(session):
    assert refund_status(session, order_number="1008", contact=AVA, now=NOW) is None
    assert refund_status(session, order_number="99999", contact=GIA, now=NOW) is None
