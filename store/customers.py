"""Customer summaries for replies, handoff context and the agent console."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.contact import normalize_email, phone_key, phones_match
from store.models import Customer, Order, money


@dataclass(frozen=True)
class MarketingConsent:
    """Whether the shopper agreed to marketing on each channel."""

    email: bool
    sms: bool
    whatsapp: bool


@dataclass(frozen=True)
class CustomerSummary:
    """A shopper and their history with the store (cancelled orders excluded from the value)."""

    id: int
    name: str
    email: Optional[str]
    phone: Optional[str]
    orders_count: int
    lifetime_value: Decimal
    last_order_number: Optional[int]
    marketing_consent: MarketingConsent


def _find(
    session: Session, customer_id: Optional[int], email: Optional[str], phone: Optional[str]
) -> Optional[Customer]:
    if customer_id is not None:
        return session.get(Customer, customer_id)
    address = normalize_email(email)
    if address:
        return session.execute(select(Customer).where(Customer.email == address)).scalar_one_or_none()
    key = phone_key(phone)
    if key:
        candidates = session.execute(
            select(Customer).where(Customer.phone_key.like(f"%{key[-7:]}")).order_by(Customer.id)
        ).scalars()
        return next((c for c in candidates if phones_match(key, c.phone_key)), None)
    return None


def customer_summary(
    session: Session,
    *,
    customer_id: Optional[int] = None,
    email: Optional[str] = None,
    phone: Optional[str] = None,
) -> Optional[CustomerSummary]:
    """Summarise the customer found by id, else email, else phone; None when nobody matches."""
    customer = _find(session, customer_id, email, phone)
    if customer is None:
        return None
    count, value = session.execute(
        select(func.count(Order.id), func.coalesce(func.sum(Order.total), 0)).where(
            Order.customer_id == customer.id, Order.cancelled_at.is_(None)
        )
    ).one()
    last = session.execute(
        select(Order.number).where(Order.customer_id == customer.id).order_by(Order.placed_at.desc()).limit(1)
    ).scalar_one_or_none()
    # sum() and coalesce() keep the Money column type, so the total arrives as a Decimal
    lifetime = money(value)
    return CustomerSummary(
        id=customer.id,
        name=f"{customer.first_name} {customer.last_name}".strip(),
        email=customer.email,
        phone=customer.phone,
        orders_count=int(count),
        lifetime_value=lifetime,
        last_order_number=last,
        marketing_consent=MarketingConsent(
            email=customer.accepts_email_marketing,
            sms=customer.accepts_sms_marketing,
            whatsapp=customer.accepts_whatsapp_marketing,
        ),
    )
