"""Back-in-stock subscriptions: subscribe with explicit consent, list, cancel, and the trigger.

A shopper asking for a sold-out size or colour may ask to hear when it is back. The subscription
records the channel and contact the shopper gave and when they consented; it is ``active`` until
the variant's stock rises above zero (:func:`set_stock`, used by ``python -m store stock set``),
which marks it ``due`` for the outbound messages to send, or until the shopper cancels it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.catalog_version import bump_catalog_version
from store.models import BackInStockSubscription, Variant


class BackInStockError(ValueError):
    """A subscription that cannot be made or changed; ``code`` says why (for the reply to choose)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True)
class Subscription:
    """What a shopper is told about one of their subscriptions."""

    id: int
    sku: str
    product: str
    size: Optional[str]
    color: Optional[str]
    contact: str
    status: str


def _variant(session: Session, sku: str) -> Variant:
    variant = session.execute(select(Variant).where(Variant.sku == sku.strip().upper())).scalar_one_or_none()
    if variant is None:
        raise BackInStockError("unknown_sku", f"no variant with SKU {sku!r}")
    return variant


def _view(session: Session, row: BackInStockSubscription) -> Subscription:
    variant = _variant(session, row.sku)
    return Subscription(
        row.id, row.sku, variant.product.title, variant.size, variant.color, row.contact, row.status
    )


def subscribe(
    session: Session,
    *,
    sku: str,
    conversation_id: str,
    channel: str,
    contact: str,
    consent: bool,
    now: datetime,
) -> Subscription:
    """Subscribe ``contact`` to ``sku`` coming back; one active subscription per conversation and SKU.

    Raises:
        BackInStockError: ``no_consent`` without the shopper's yes, ``no_contact`` without a contact,
            ``unknown_sku``, or ``in_stock`` when there is nothing to wait for.
    """
    if not consent:
        raise BackInStockError("no_consent", "a subscription needs the shopper's explicit consent")
    if not contact.strip():
        raise BackInStockError("no_contact", "a subscription needs an email or phone number")
    variant = _variant(session, sku)
    if variant.inventory_quantity > 0:
        raise BackInStockError("in_stock", f"{variant.sku} is in stock")
    existing = session.execute(
        select(BackInStockSubscription).where(
            BackInStockSubscription.sku == variant.sku,
            BackInStockSubscription.conversation_id == conversation_id,
            BackInStockSubscription.status == "active",
        )
    ).scalar_one_or_none()
    row = existing or BackInStockSubscription(
        sku=variant.sku, conversation_id=conversation_id, status="active", consented_at=now
    )
    row.channel, row.contact = channel, contact.strip()
    session.add(row)
    session.flush()
    return _view(session, row)


def subscriptions_of(session: Session, conversation_id: str) -> list[Subscription]:
    """The conversation's active subscriptions, oldest first (shown to the shopper)."""
    rows = session.execute(
        select(BackInStockSubscription)
        .where(
            BackInStockSubscription.conversation_id == conversation_id,
            BackInStockSubscription.status == "active",
        )
        .order_by(BackInStockSubscription.id)
    ).scalars()
    return [_view(session, row) for row in rows]


def cancel(session: Session, *, subscription_id: int, conversation_id: str, now: datetime) -> Subscription:
    """Cancel one of the conversation's active subscriptions (another conversation's is not found).

    Raises:
        BackInStockError: ``not_found``.
    """
    row = session.get(BackInStockSubscription, subscription_id)
    if row is None or row.conversation_id != conversation_id or row.status != "active":
        raise BackInStockError("not_found", f"no active subscription {subscription_id} here")
    row.status, row.cancelled_at = "cancelled", now
    session.flush()
    return _view(session, row)


def set_stock(session: Session, *, sku: str, quantity: int, now: datetime) -> list[Subscription]:
    """Set a variant's stock; when it rises from none to some, its active subscriptions become due.

    Returns:
        The subscriptions made due by this change (none when the variant was already in stock).

    Raises:
        BackInStockError: ``unknown_sku`` or ``bad_quantity`` (negative).
    """
    if quantity < 0:
        raise BackInStockError("bad_quantity", f"stock cannot be negative ({quantity})")
    variant = _variant(session, sku)
    was = variant.inventory_quantity
    variant.inventory_quantity = quantity
    bump_catalog_version(session)
    return restocked(session, variant=variant, was=was, now=now)


def restocked(session: Session, *, variant: Variant, was: int, now: datetime) -> list[Subscription]:
    """After any stock change of ``variant`` (``set_stock``, a Shopify inventory webhook, an
    import): when it went from none (``was``) to some, its active subscriptions become ``due``.

    The due rows are what the outbound messages send, in this same transaction as the change.

    Returns:
        The subscriptions made due (empty when the variant was in stock before or is still out).
    """
    if was > 0 or variant.inventory_quantity <= 0:
        return []
    due = list(
        session.execute(
            select(BackInStockSubscription)
            .where(BackInStockSubscription.sku == variant.sku, BackInStockSubscription.status == "active")
            .order_by(BackInStockSubscription.id)
        ).scalars()
    )
    for row in due:
        row.status, row.due_at = "due", now
    session.flush()
    return [_view(session, row) for row in due]
