"""Triggers that queue proactive messages: back in stock, and order updates.

Each writes outbox rows in the caller's transaction (the change and its message commit together)
with the object it is about and the day that object changed, so the idempotency key stops a second
message for the same event however often a trigger runs. Whether a message may go (consent,
quiet hours, caps, channel rules) is checked when it is sent (:mod:`store.outbox_rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from store.back_in_stock import Subscription, set_stock
from store.channel_contacts import contact
from store.consent import Channel, Purpose
from store.contact import e164
from store.info import store_country
from store.messaging_config import MessagingConfig, messaging_config
from store.models import BackInStockSubscription, Fulfillment, Order, OutboxMessage, ReturnPolicy, Variant
from store.outbox import enqueue

Route = tuple[Channel, str, Optional[str]]  # channel, address, conversation id


def _date(value: datetime) -> str:
    return value.strftime("%B %-d")


def subscription_route(row: BackInStockSubscription, region: Optional[str]) -> Optional[Route]:
    """Where a back-in-stock subscriber asked to hear: the contact they gave, on its channel."""
    if "@" in row.contact:
        return Channel.EMAIL, row.contact.strip().lower(), None
    phone = e164(row.contact, region)
    if phone is None:
        return None
    on_whatsapp = row.channel == "whatsapp" or row.conversation_id.startswith(
        ("whatsapp:", "twilio:whatsapp:")
    )
    return (Channel.WHATSAPP if on_whatsapp else Channel.SMS), phone, row.conversation_id


@dataclass(frozen=True)
class StockChange:
    """What a stock change did: subscriptions made due, and the alerts queued for them."""

    due: int
    queued: list[OutboxMessage]


def stock_changed(session: Session, *, sku: str, quantity: int, now: datetime) -> StockChange:
    """Set a variant's stock (:func:`store.back_in_stock.set_stock`) and queue the alerts it makes due.

    The shopper asked for this one message when subscribing, so it needs no standing marketing
    consent (``requested`` in its params), but a STOP on its channel still stops it.
    """
    due = set_stock(session, sku=sku, quantity=quantity, now=now)
    return StockChange(len(due), queue_back_in_stock(session, sku=sku, due=due, now=now))


def queue_back_in_stock(
    session: Session, *, sku: str, due: Sequence[Subscription], now: datetime
) -> list[OutboxMessage]:
    """Queue one alert per subscription a stock change made due (``set_stock``, or
    :func:`store.back_in_stock.restocked` after a Shopify inventory webhook)."""
    config = messaging_config(session)
    if not due or not config.enabled("back_in_stock"):
        return []
    variant = session.execute(select(Variant).where(Variant.sku == sku.strip().upper())).scalar_one()
    region = store_country(session)
    queued = []
    for subscription in due:
        row = session.get(BackInStockSubscription, subscription.id)
        route = subscription_route(row, region) if row is not None else None
        if route is None:
            continue
        channel, address, conversation_id = route
        options = ", ".join(part for part in (subscription.size, subscription.color) if part)
        params = {
            "product": subscription.product,
            "variant": options or variant.sku,
            "sku": variant.sku,
            "url": _product_url(session, variant),
            "requested": f"back_in_stock_subscription:{row.id}",
        }
        message = enqueue(
            session,
            trigger="back_in_stock",
            purpose=Purpose.MARKETING.value,
            channel=channel.value,
            recipient=address,
            response="utter_proactive_back_in_stock",
            object_id=variant.sku,
            day=now.date(),
            due_at=now,
            now=now,
            params=params,
            conversation_id=conversation_id,
        )
        if message is not None:
            queued.append(message)
    return queued


def _product_url(session: Session, variant: Variant) -> str:
    from store.info import store_info

    base = store_info(session).url.rstrip("/")
    return f"{base}/products/{variant.product.handle}" if base else ""


def service_route(session: Session, order: Order) -> Optional[Route]:
    """Where order updates go: the messaging channel the shopper wrote to us on, else email."""
    phone = e164(order.phone or (order.customer.phone if order.customer else None), store_country(session))
    if phone is not None:
        for channel in (Channel.WHATSAPP, Channel.SMS):
            known = contact(session, channel=channel, address=phone)
            if known is not None:
                return channel, phone, known.conversation_id
    email = order.email or (order.customer.email if order.customer else None)
    return (Channel.EMAIL, email.lower(), None) if email else None


def _queue_update(
    session: Session,
    trigger: str,
    order: Order,
    fulfillment: Fulfillment,
    day: datetime,
    now: datetime,
    **params: str,
) -> Optional[OutboxMessage]:
    route = service_route(session, order)
    if route is None:
        return None
    channel, address, conversation_id = route
    return enqueue(
        session,
        trigger=trigger,
        purpose=Purpose.SERVICE.value,
        channel=channel.value,
        recipient=address,
        response=f"utter_proactive_{trigger}",
        object_id=f"fulfillment-{fulfillment.id}",
        day=day.date(),
        due_at=now,
        now=now,
        params={"order": order.name, **params},
        customer_id=order.customer_id,
        conversation_id=conversation_id,
    )


def scan_order_updates(
    session: Session, *, now: datetime, config: Optional[MessagingConfig] = None
) -> list[OutboxMessage]:
    """Queue shipped, delayed and delivered updates for fulfillments that changed recently.

    Only changes within ``lookback_days`` (default 2) count, so switching a trigger on does not
    message every shopper about last year's orders; a delay counts once its estimate is
    ``grace_days`` (default 1) past.
    """
    config = config or messaging_config(session)
    lookback = timedelta(days=int(config.option("order_shipped", "lookback_days", 2)))
    grace = timedelta(days=int(config.option("order_delayed", "grace_days", 1)))
    window_days = session.execute(select(ReturnPolicy.window_days)).scalars().first() or 30
    rows = session.execute(
        select(Fulfillment)
        .join(Order, Fulfillment.order_id == Order.id)
        .where(
            Order.cancelled_at.is_(None),
            Fulfillment.shipped_at >= now - lookback - grace - timedelta(days=14),
        )
        .options(selectinload(Fulfillment.order).selectinload(Order.customer))
    ).scalars()
    queued: list[Optional[OutboxMessage]] = []
    for fulfillment in rows:
        order = fulfillment.order
        if config.enabled("order_shipped") and now - lookback <= fulfillment.shipped_at <= now:
            tracking = fulfillment.tracking_url or fulfillment.tracking_number or ""
            queued.append(
                _queue_update(
                    session,
                    "order_shipped",
                    order,
                    fulfillment,
                    fulfillment.shipped_at,
                    now,
                    carrier=fulfillment.carrier or "",
                    tracking=tracking,
                )
            )
        delivered = fulfillment.delivered_at
        if config.enabled("order_delivered") and delivered is not None and now - lookback <= delivered <= now:
            return_by = _date(delivered + timedelta(days=window_days))
            queued.append(
                _queue_update(
                    session, "order_delivered", order, fulfillment, delivered, now, return_by=return_by
                )
            )
        estimate = fulfillment.estimated_delivery
        if config.enabled("order_delayed") and delivered is None and estimate is not None:
            late_since = datetime.combine(estimate, datetime.min.time(), tzinfo=now.tzinfo) + grace
            if now - lookback <= late_since <= now:
                queued.append(
                    _queue_update(
                        session,
                        "order_delayed",
                        order,
                        fulfillment,
                        late_since,
                        now,
                        eta=estimate.strftime("%B %-d"),
                    )
                )
    return [message for message in queued if message is not None]
