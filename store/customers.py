"""Customer summaries for replies, handoff context and the agent console."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.contact import MIN_PHONE_DIGITS, e164, normalize_email, phones_match
from store.info import store_country
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
    region = store_country(session)
    number = e164(phone, region)
    if number:
        # the indexed key's last digits find the candidates; phones_match decides
        candidates = session.execute(
            select(Customer)
            .where(Customer.phone_key.like(f"%{number[-MIN_PHONE_DIGITS:]}"))
            .order_by(Customer.id)
        ).scalars()
        return next((c for c in candidates if phones_match(phone, c.phone, region=region)), None)
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
