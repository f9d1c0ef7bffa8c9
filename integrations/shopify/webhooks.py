"""Shopify webhook deliveries: check the signature, drop duplicates, apply the payload.

Shopify signs each delivery with ``X-Shopify-Hmac-Sha256``: the base64 HMAC-SHA256 of the raw
body, keyed with the app's secret. :func:`signature_valid` checks it (in constant time) before
anything reads the body. :func:`apply_delivery` then, in one transaction, records the delivery
by its ``X-Shopify-Webhook-Id`` and its topic's ``X-Shopify-Event-Id`` (both unique: a retry, the
same delivery reaching two processes, or one event sent through two subscriptions to its topic
cannot be recorded twice) and applies the payload as an upsert, so a delivery is either recorded
and applied, or neither.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, Mapping, Optional

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from integrations.shopify.apply import (
    Outcome,
    apply_customer,
    apply_fulfillment,
    apply_inventory_level,
    apply_order,
    apply_product,
    delete_product,
)  # fmt: skip
from integrations.shopify.apply_returns import RETURN_APPLIERS
from store.models import ShopifyDelivery

SIGNATURE_HEADER = "X-Shopify-Hmac-Sha256"
TOPIC_HEADER = "X-Shopify-Topic"
WEBHOOK_ID_HEADER = "X-Shopify-Webhook-Id"
EVENT_ID_HEADER = "X-Shopify-Event-Id"
SHOP_HEADER = "X-Shopify-Shop-Domain"
VERSION_HEADER = "X-Shopify-API-Version"

APPLIERS: Dict[str, Callable[[Session, Mapping[str, Any]], Outcome]] = {
    "orders/create": apply_order,
    "orders/updated": apply_order,
    "orders/cancelled": apply_order,
    "fulfillments/create": apply_fulfillment,
    "fulfillments/update": apply_fulfillment,
    "products/create": apply_product,
    "products/update": apply_product,
    "products/delete": delete_product,
    "inventory_levels/update": apply_inventory_level,
    "customers/create": apply_customer,
    "customers/update": apply_customer,
    **RETURN_APPLIERS,  # returns/request, approve, decline, cancel, close, reopen
}
"""The topics the assistant subscribes to (README: "Connecting a Shopify store")."""

KEEP_DELIVERIES = timedelta(days=7)
"""How long a delivery id is remembered: Shopify retries for four hours, so a week is plenty."""


def sign(secret: str, body: bytes) -> str:
    """The ``X-Shopify-Hmac-Sha256`` value for ``body`` (base64 of the HMAC-SHA256 digest)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signature_valid(secret: str, body: bytes, header: Optional[str]) -> bool:
    """Whether ``header`` is Shopify's signature of the raw ``body`` (constant-time compare)."""
    if not secret or not header:
        return False
    return hmac.compare_digest(sign(secret, body).encode(), header.strip().encode())


@dataclass(frozen=True)
class Delivery:
    """One verified delivery: its ids, topic and parsed payload."""

    webhook_id: str
    topic: str
    payload: Mapping[str, Any]
    event_id: Optional[str] = None


def already_received(session: Session, *, delivery: Delivery) -> bool:
    """Whether this webhook, or this event on this topic, was applied before."""
    seen = ShopifyDelivery.webhook_id == delivery.webhook_id
    if delivery.event_id:
        seen = or_(
            seen, and_(ShopifyDelivery.topic == delivery.topic, ShopifyDelivery.event_id == delivery.event_id)
        )
    return session.execute(select(ShopifyDelivery.id).where(seen)).first() is not None


def apply_delivery(session: Session, *, delivery: Delivery, now: datetime) -> Optional[Outcome]:
    """Record and apply a delivery; None when it was applied before (nothing changes).

    The record is written first, so a second process applying the same delivery at the same time
    fails on the unique webhook or event id before it changes anything, and its transaction rolls
    back.
    """
    if already_received(session, delivery=delivery):
        return None
    session.execute(delete(ShopifyDelivery).where(ShopifyDelivery.received_at < now - KEEP_DELIVERIES))
    record = ShopifyDelivery(
        webhook_id=delivery.webhook_id,
        event_id=delivery.event_id,
        topic=delivery.topic,
        received_at=now,
        outcome=Outcome.IGNORED.value,
    )
    session.add(record)
    session.flush()
    outcome = APPLIERS[delivery.topic](session, delivery.payload)
    record.outcome = outcome.value
    return outcome


__all__ = [
    "APPLIERS",
    "EVENT_ID_HEADER",
    "SHOP_HEADER",
    "SIGNATURE_HEADER",
    "TOPIC_HEADER",
    "VERSION_HEADER",
    "WEBHOOK_ID_HEADER",
    "Delivery",
    "already_received",
    "apply_delivery",
    "sign",
    "signature_valid",
]  # fmt: skip
