"""Order look-up (only with a matching contact), timeline, cancellation and address changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional, Union

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from core import clock
from store.codes import OrderChangeRefusal
from store.contact import MIN_PHONE_DIGITS, contact_matches, e164, normalize_email, parse_order_number
from store.info import (
    high_value_threshold,
    setting,
    store_country,
    store_timezone,
)
from store.models import Customer, Fulfillment, LineItem, Order, Return, Variant
from store.order_views import (
    Address,
    LineItemView,
    OrderSummary,
    OrderView,
    fulfilled_units,
    order_status,
    order_view,
)

__all__ = [
    "Address",
    "LineItemView",
    "OrderChangeResult",
    "OrderSummary",
    "OrderView",
    "TimelineEvent",
    "address_refusal",
    "cancel_order",
    "change_shipping_address",
    "contact_owns_order",
    "find_order",
    "order_change_view",
    "order_timeline",
    "order_to_change",
    "orders_for_contact",
    "shipping_address_fields",
]

# The order's collections one query each (selectin); the many-to-one rows (customer, a line's
# variant and its product) and the few lines of each fulfillment and items of each return joined
# into the query of their parent: four queries for an order instead of nine.
_LOAD = (
    selectinload(Order.line_items).joinedload(LineItem.variant).joinedload(Variant.product),
    selectinload(Order.fulfillments).joinedload(Fulfillment.lines),
    selectinload(Order.returns).joinedload(Return.items),
    joinedload(Order.customer),
)


@dataclass(frozen=True)
class TimelineEvent:
    """Something that happened (or is expected) to an order, oldest first.

    ``kind``: placed, shipped, delayed, estimated_delivery, delivered, cancelled, return_requested.
    """

    at: datetime
    kind: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OrderChangeResult:
    """Outcome of a change: ``reason`` is None when ``ok``, else why the store refused."""

    ok: bool
    reason: Optional[OrderChangeRefusal] = None
    order: Optional[OrderView] = None


def _now(now: Optional[datetime]) -> datetime:
    return now or clock.now()


def load_order(session: Session, number: int) -> Optional[Order]:
    """The ORM order with its lines, fulfillments and returns (no ownership check)."""
    stmt = (
        select(Order).where(Order.number == number).options(*_LOAD).execution_options(populate_existing=True)
    )
    return session.execute(stmt).scalar_one_or_none()


def contact_owns_order(session: Session, *, order_number: str, contact: str) -> Optional[int]:
    """The order's number when ``contact`` is its email or phone, else None (also for unknown numbers).

    An unknown number and a wrong contact do the same work: one query for the order's contacts
    (no row, or a row) and the same constant-time comparisons (against empty contacts when there
    is no order). So neither the answer nor the time it takes tells a stranger whether an order
    number exists. Nothing else of the order is read.
    """
    number = parse_order_number(str(order_number))
    if number is None or not contact:
        return None
    stmt = (
        select(Order.id, Order.email, Order.phone, Customer.email, Customer.phone)
        .outerjoin(Customer, Order.customer_id == Customer.id)
        .where(Order.number == number)
    )
    row = session.execute(stmt).one_or_none()
    order_id, email, phone, customer_email, customer_phone = row if row is not None else (None,) * 5
    matched = contact_matches(
        contact, emails=[email, customer_email], phones=[phone, customer_phone], region=store_country(session)
    )
    if order_id is None or not matched:
        return None
    return number


def verified_order(session: Session, *, order_number: str, contact: str) -> Optional[Order]:
    """The ORM order when ``contact`` is its email or phone, else None (also for unknown numbers).

    The order itself is loaded only once the contact matched (:func:`contact_owns_order`).
    """
    number = contact_owns_order(session, order_number=order_number, contact=contact)
    return load_order(session, number) if number is not None else None


def lock_order(session: Session, order: Order) -> Order:
    """Take the order's row lock for the rest of the transaction and reload it fresh.

    Writing first serialises concurrent changes on both engines: PostgreSQL holds the row lock,
    SQLite the database write lock, and the reload then sees whatever the winner committed.
    """
    session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(lock_version=Order.lock_version + 1)
        .execution_options(synchronize_session=False)
    )
    fresh = load_order(session, order.number)
    assert fresh is not None
    return fresh


def find_order(
    session: Session, *, order_number: str, contact: str, now: Optional[datetime] = None
) -> Optional[OrderView]:
    """The order ``order_number`` if ``contact`` (email or phone) belongs to it, else None.

    None means "unknown number" or "contact does not match": callers cannot tell which.
    """
    order = verified_order(session, order_number=order_number, contact=contact)
    if order is None:
        return None
    return order_view(
        order, now=_now(now), tz=store_timezone(session), high_value=high_value_threshold(session)
    )


def orders_for_contact(
    session: Session,
    *,
    email: Optional[str] = None,
    phone: Optional[str] = None,
    limit: int = 5,
    now: Optional[datetime] = None,
) -> list[OrderSummary]:
    """The most recent orders of a shopper identified by email or phone, newest first."""
    conditions = []
    address = normalize_email(email)
    if address:
        conditions += [Order.email == address, Customer.email == address]
    region = store_country(session)
    number = e164(phone, region)
    if number:
        # the indexed key's last digits find the candidates; contact_matches decides
        tail = number[-MIN_PHONE_DIGITS:]
        conditions += [Order.phone_key.like(f"%{tail}"), Customer.phone_key.like(f"%{tail}")]
    if not conditions:
        return []
    stmt = (
        select(Order)
        .outerjoin(Customer, Order.customer_id == Customer.id)
        .where(or_(*conditions))
        .options(*_LOAD)
        .order_by(Order.placed_at.desc())
    )
    tz, current = store_timezone(session), _now(now)
    results = []
    for order in session.execute(stmt).unique().scalars():
        emails = [order.email, order.customer.email if order.customer else None]
        phones = [order.phone, order.customer.phone if order.customer else None]
        if (address and address in emails) or (
            phone and contact_matches(phone, emails=[], phones=phones, region=region)
        ):
            results.append(
                OrderSummary(
                    number=order.number,
                    name=order.name,
                    status=order_status(order, now=current, tz=tz),
                    placed_at=order.placed_at,
                    total=order.total,
                    currency=order.currency,
                    item_count=sum(i.quantity for i in order.line_items),
                )
            )
        if len(results) >= limit:
            break
    return results


def order_timeline(
    session: Session, *, order_number: str, now: Optional[datetime] = None
) -> list[TimelineEvent]:
    """What happened to an order, oldest first. Call only after :func:`find_order` verified it."""
    number = parse_order_number(str(order_number))
    order = load_order(session, number) if number is not None else None
    if order is None:
        return []
    tz, current = store_timezone(session), _now(now)
    today = current.astimezone(tz).date()
    events = [TimelineEvent(order.placed_at, "placed", {"total": order.total, "currency": order.currency})]
    for f in order.fulfillments:
        info = {
            "carrier": f.carrier,
            "tracking_number": f.tracking_number,
            "tracking_url": f.tracking_url,
            "line_item_ids": sorted(line.line_item_id for line in f.lines),
        }
        events.append(TimelineEvent(f.shipped_at, "shipped", info))
        if f.delivered_at is not None:
            events.append(TimelineEvent(f.delivered_at, "delivered", info))
        elif f.estimated_delivery is not None:
            eta = datetime.combine(f.estimated_delivery, datetime.min.time(), tzinfo=tz)
            late = f.shipment_status in ("delayed", "failure") or f.estimated_delivery < today
            events.append(TimelineEvent(eta, "delayed" if late else "estimated_delivery", info))
    if order.cancelled_at is not None:
        events.append(TimelineEvent(order.cancelled_at, "cancelled", {"reason": order.cancel_reason}))
    for ret in order.returns:
        events.append(
            TimelineEvent(ret.created_at, "return_requested", {"rma": ret.rma, "status": ret.status})
        )
    return sorted(events, key=lambda e: e.at)


def _unfulfilled_reason(order: Order) -> Optional[OrderChangeRefusal]:
    if order.cancelled_at is not None:
        return OrderChangeRefusal.ALREADY_CANCELLED
    shipped = fulfilled_units(order)
    total = sum(i.quantity for i in order.line_items)
    if sum(shipped.values()) >= total and total:
        return OrderChangeRefusal.ALREADY_FULFILLED
    if any(shipped.values()):
        return OrderChangeRefusal.PARTIALLY_FULFILLED
    return None


def order_change_view(session: Session, order: Order, now: datetime) -> OrderView:
    """The order as a change's answer shows it."""
    return order_view(order, now=now, tz=store_timezone(session), high_value=high_value_threshold(session))


def order_to_change(
    session: Session, *, order_number: str, contact: str, now: datetime, lock: bool = True
) -> Union[Order, OrderChangeResult]:
    """The verified order, locked for the change, or the refusal when it cannot change any more.

    Unknown numbers and wrong contacts give the same ``not_found``; the row lock makes two
    concurrent changes of one order queue instead of both passing the "not shipped" check.
    ``lock=False`` only checks (a change the connected shop makes needs no local lock).
    """
    order = verified_order(session, order_number=order_number, contact=contact)
    if order is None:
        return OrderChangeResult(ok=False, reason=OrderChangeRefusal.NOT_FOUND)
    if lock:
        order = lock_order(session, order)
    problem = _unfulfilled_reason(order)
    if problem:
        return OrderChangeResult(ok=False, reason=problem, order=order_change_view(session, order, now))
    return order


def cancel_order(
    session: Session,
    *,
    order_number: str,
    contact: str,
    reason: str = "customer",
    now: Optional[datetime] = None,
) -> OrderChangeResult:
    """Cancel an order that has not shipped, refund it and put its units back in stock."""
    current = _now(now)
    order = order_to_change(session, order_number=order_number, contact=contact, now=current)
    if isinstance(order, OrderChangeResult):
        return order
    order.cancelled_at = current
    order.cancel_reason = reason
    order.updated_at = current
    if order.financial_status in ("paid", "partially_paid"):
        order.financial_status = "refunded"
        order.refunded_amount = order.total
    elif order.financial_status in ("pending", "authorized"):
        order.financial_status = "voided"
    for item in order.line_items:
        if item.variant is not None:
            item.variant.inventory_quantity += item.quantity
    session.flush()
    return OrderChangeResult(ok=True, order=order_change_view(session, order, current))


def address_refusal(session: Session, order: Order, address: Address) -> Optional[OrderChangeRefusal]:
    """Why ``address`` cannot be the order's new one (incomplete, or in another country), if so."""
    country = (address.country or "").strip().upper()
    if not (
        address.address1.strip()
        and address.city.strip()
        and address.postal_code.strip()
        and len(country) == 2
    ):
        return OrderChangeRefusal.INVALID_ADDRESS
    if country != (order.shipping_country or country) and not setting(
        session, "address_change_across_countries", False
    ):
        return OrderChangeRefusal.COUNTRY_CHANGE_NOT_ALLOWED
    return None


def shipping_address_fields(order: Order, address: Address) -> dict:
    """The order's ``shipping_address`` column for ``address`` (name and phone kept if not given)."""
    old = dict(order.shipping_address or {})
    return {
        "name": address.name or old.get("name"),
        "address1": address.address1.strip(),
        "address2": (address.address2 or "").strip() or None,
        "city": address.city.strip(),
        "region": address.region,
        "postal_code": address.postal_code.strip(),
        "country": (address.country or "").strip().upper(),
        "phone": address.phone or old.get("phone"),
    }


def change_shipping_address(
    session: Session, *, order_number: str, contact: str, address: Address, now: Optional[datetime] = None
) -> OrderChangeResult:
    """Change where an unshipped order goes (same country unless the store allows otherwise)."""
    current = _now(now)
    order = order_to_change(session, order_number=order_number, contact=contact, now=current)
    if isinstance(order, OrderChangeResult):
        return order
    refusal = address_refusal(session, order, address)
    if refusal is not None:
        return OrderChangeResult(ok=False, reason=refusal, order=order_change_view(session, order, current))
    order.shipping_address = shipping_address_fields(order, address)
    order.shipping_country = order.shipping_address["country"]
    order.updated_at = current
    session.flush()
    return OrderChangeResult(ok=True, order=order_change_view(session, order, current))
