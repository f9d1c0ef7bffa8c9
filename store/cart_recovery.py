"""Cart recovery: one conversational nudge for a widget cart left without a checkout.

A cart the website reported (:mod:`store.carts`) that has items, belongs to a known customer, and
has not changed for ``delay_minutes`` (default 60) of the ``cart_recovery`` trigger is abandoned.
Before looking, carts whose customer has ordered since are closed. Each abandoned cart gets one
reminder (``nudged_at``), on the first channel the customer gave standing marketing consent on
(WhatsApp, SMS, email): it is marketing, so quiet hours, the weekly cap and WhatsApp's template
rules apply when the worker sends it (:mod:`store.outbox_rules`). Carts that became abandoned
more than ``lookback_days`` (default 2) ago are left alone, so switching the trigger on does not
message about old carts. The message carries the cart (its lines) so that a reply continues with
the cart in context (:mod:`store.proactive_context`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.carts import cart_items, close_ordered_carts
from store.channel_contacts import contact
from store.consent import Purpose, normalize_address
from store.info import store_country
from store.messaging_config import MessagingConfig, messaging_config
from store.models import Customer, OutboxMessage, ShopperCart
from store.outbox import enqueue
from store.replenishment import marketing_route

TRIGGER = "cart_recovery"
MAX_NAMED_ITEMS = 2


def _items_phrase(labels: list[str]) -> str:
    """``Trail Jacket (M, Navy)``, ``A and B``, or ``A, B and 2 more``."""
    if len(labels) <= MAX_NAMED_ITEMS:
        return " and ".join(labels)
    return f"{', '.join(labels[:MAX_NAMED_ITEMS])} and {len(labels) - MAX_NAMED_ITEMS} more"


def recovery_delay(config: MessagingConfig) -> timedelta:
    """How long a cart must stay unchanged before it counts as abandoned."""
    return timedelta(minutes=int(config.option(TRIGGER, "delay_minutes", 60)))


def scan_cart_recovery(
    session: Session, *, now: datetime, config: Optional[MessagingConfig] = None
) -> list[OutboxMessage]:
    """Queue a reminder for each cart that became abandoned within the lookback, once per cart."""
    config = config or messaging_config(session)
    if not config.enabled(TRIGGER):
        return []
    close_ordered_carts(session, now=now)
    delay = recovery_delay(config)
    lookback = timedelta(days=int(config.option(TRIGGER, "lookback_days", 2)))
    carts = session.execute(
        select(ShopperCart)
        .where(
            ShopperCart.checked_out_at.is_(None),
            ShopperCart.nudged_at.is_(None),
            ShopperCart.customer_id.is_not(None),
            ShopperCart.updated_at <= now - delay,
            ShopperCart.updated_at >= now - delay - lookback,
        )
        .order_by(ShopperCart.id)
    ).scalars()
    region = store_country(session)
    queued = []
    for cart in list(carts):
        items = cart_items(session, cart)
        customer = session.get(Customer, cart.customer_id)
        route = marketing_route(session, customer) if items and customer is not None else None
        if route is None:
            continue
        channel, raw_address = route
        address = normalize_address(channel, raw_address, region=region)
        known = contact(session, channel=channel, address=address)
        message = enqueue(
            session,
            trigger=TRIGGER,
            purpose=Purpose.MARKETING.value,
            channel=channel.value,
            recipient=address,
            response="utter_proactive_cart_recovery",
            object_id=f"cart-{cart.id}",
            day=now.date(),
            due_at=now,
            now=now,
            params={
                "items": _items_phrase([item.label() for item in items]),
                "cart_id": cart.id,
                "cart_conversation_id": cart.conversation_id,
                "lines": [
                    {"sku": i.sku, "quantity": i.quantity, "price": i.price, "handle": i.handle}
                    for i in items
                ],
            },
            customer_id=cart.customer_id,
            conversation_id=known.conversation_id if known is not None else None,
        )
        cart.nudged_at = now
        if message is not None:
            queued.append(message)
    session.flush()
    return queued
