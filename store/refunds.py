"""Where the shopper's money is: the refund of a verified order, step by step, against the policy.

A refund goes through the store's steps (the return is opened, its parcel is received, inspected,
then the refund is issued) and then through the shopper's bank. The policy says how long each
part may take (``returns.yaml``: ``refund.processing_days`` after the parcel arrives,
``refund.bank_days`` for the bank), so the answer can give a date and say when it is late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Callable, Optional

from sqlalchemy.orm import Session

from core import clock
from store.calendar import BusinessCalendar
from store.codes import RefundState
from store.info import business_calendar, store_timezone
from store.models import Order, Return
from store.orders import verified_order
from store.returns import ReturnPolicyView, return_policy

__all__ = ["RefundState", "RefundStatus", "refund_status"]

STORE_CREDIT = "store_credit"
ORIGINAL_PAYMENT = "original_payment"


@dataclass(frozen=True)
class RefundStatus:
    """One order's refund as the shopper needs it.

    ``expected_by`` is the last day the next step is due under the policy: the refund issued
    (``received``, ``inspected``) or the money visible on the statement (``refunded``,
    ``cancelled``); ``late`` once that day has passed in the store's time zone.
    """

    order: str
    state: RefundState
    currency: str
    rma: Optional[str] = None
    items: tuple[str, ...] = ()
    requested_on: Optional[date] = None
    received_on: Optional[date] = None
    inspected_on: Optional[date] = None
    refunded_on: Optional[date] = None
    amount: Optional[Decimal] = None
    method: Optional[str] = None
    processing_days: Optional[int] = None
    bank_days: Optional[int] = None
    expected_by: Optional[date] = None
    late: bool = False


def refund_status(
    session: Session, *, order_number: str, contact: str, now: Optional[datetime] = None
) -> Optional[RefundStatus]:
    """The refund of order ``order_number`` when ``contact`` owns it, else None (as ``find_order``).

    The latest return of the order decides; a cancelled order without a return is its own refund.
    """
    order = verified_order(session, order_number=order_number, contact=contact)
    if order is None:
        return None
    policy, tz = return_policy(session), store_timezone(session)
    today = (now or clock.now()).astimezone(tz).date()

    def local_day(moment: Optional[datetime]) -> Optional[date]:
        return moment.astimezone(tz).date() if moment is not None else None

    timing = _Timing(business_calendar(session), policy, today)
    # a cancelled return took nothing back: the refund is that of the return before it, if any
    returns = [r for r in order.returns if r.status != "cancelled"]
    latest = max(returns, key=lambda r: (r.created_at, r.id), default=None)
    if latest is None:
        if order.cancelled_at is None:
            return RefundStatus(order=order.name, state=RefundState.NO_RETURN, currency=order.currency)
        cancelled_on = local_day(order.cancelled_at)
        return timing.bank(
            order.name,
            order.currency,
            RefundState.CANCELLED,
            refunded_on=cancelled_on,
            amount=order.refunded_amount or order.total,
            method=ORIGINAL_PAYMENT,
        )
    return _return_status(order, latest, local_day, timing)


class _Timing:
    """Due dates under the policy, counted in the store's business days."""

    def __init__(self, calendar: BusinessCalendar, policy: ReturnPolicyView, today: date) -> None:
        self.calendar, self.policy, self.today = calendar, policy, today

    def due(self, start: Optional[date], days: Optional[int]) -> Optional[date]:
        if start is None or days is None:
            return None
        return self.calendar.add_business_days(start, days)

    def bank(
        self,
        order: str,
        currency: str,
        state: RefundState,
        *,
        refunded_on: Optional[date],
        amount: Optional[Decimal],
        method: Optional[str],
        **steps: object,
    ) -> RefundStatus:
        """An issued refund: store credit is there at once, money takes the bank's days."""
        bank_days = None if method == STORE_CREDIT else self.policy.refund_bank_days
        expected = refunded_on if method == STORE_CREDIT else self.due(refunded_on, bank_days)
        return RefundStatus(
            order=order,
            state=state,
            currency=currency,
            refunded_on=refunded_on,
            amount=amount,
            method=method,
            processing_days=self.policy.refund_days,
            bank_days=bank_days,
            expected_by=expected,
            late=bank_days is not None and expected is not None and self.today > expected,
            **steps,  # type: ignore[arg-type]
        )


def _return_status(
    order: Order, ret: Return, local_day: Callable[[Optional[datetime]], Optional[date]], timing: _Timing
) -> RefundStatus:
    """The refund of one return: its steps so far and the next one's due date."""
    steps: dict = {
        "rma": ret.rma,
        "items": tuple(item.line_item.title for item in ret.items),
        "requested_on": local_day(ret.created_at),
        "received_on": local_day(ret.received_at),
        "inspected_on": local_day(ret.inspected_at),
    }
    policy = timing.policy
    if ret.status == "refunded":
        method = ret.refund_method or (
            STORE_CREDIT if ret.resolution == STORE_CREDIT else policy.refund_method
        )
        return timing.bank(
            order.name,
            order.currency,
            RefundState.REFUNDED,
            refunded_on=local_day(ret.refunded_at),
            amount=ret.refund_amount,
            method=method,
            **steps,
        )
    if ret.status in ("exchanged", "rejected"):
        state = RefundState.EXCHANGED if ret.status == "exchanged" else RefundState.REJECTED
        return RefundStatus(order=order.name, state=state, currency=order.currency, **steps)
    if ret.status == "received" or ret.received_at is not None:
        expected = timing.due(steps["received_on"], policy.refund_days)
        return RefundStatus(
            order=order.name,
            state=RefundState.INSPECTED if ret.inspected_at is not None else RefundState.RECEIVED,
            currency=order.currency,
            processing_days=policy.refund_days,
            bank_days=policy.refund_bank_days,
            expected_by=expected,
            late=expected is not None and timing.today > expected,
            **steps,
        )
    return RefundStatus(
        order=order.name,
        state=RefundState.AWAITING_PARCEL,  # requested, approved or on its way back
        currency=order.currency,
        processing_days=policy.refund_days,
        bank_days=policy.refund_bank_days,
        **steps,
    )
