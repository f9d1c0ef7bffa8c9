"""Replenishment: remind a shopper to reorder a consumable when they typically would.

The store marks product types (categories) as consumable (``consumable_types`` of the
``replenishment`` trigger). The reorder interval of a type is learned from order history: the
median number of days between one customer's consecutive orders containing that type, across all
customers; with fewer than ``min_samples`` repeat purchases the store's ``default_interval_days``
is used. A reminder is marketing, so it goes only where the shopper consented.
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.consent import Channel, Purpose, may_message, normalize_address
from store.info import store_country
from store.messaging_config import MessagingConfig, messaging_config
from store.models import Category, Customer, LineItem, Order, OutboxMessage, Product, Variant
from store.outbox import enqueue


def _purchases(session: Session, categories: list[str]) -> dict[tuple[int, str], list[tuple[datetime, str]]]:
    """(customer, type) -> [(when, product title)] oldest first, cancelled orders left out."""
    rows = session.execute(
        select(Order.customer_id, Category.name, Order.placed_at, Product.title)
        .join(LineItem, LineItem.order_id == Order.id)
        .join(Variant, LineItem.variant_id == Variant.id)
        .join(Product, Variant.product_id == Product.id)
        .join(Category, Product.category_id == Category.id)
        .where(Category.name.in_(categories), Order.customer_id.is_not(None), Order.cancelled_at.is_(None))
        .order_by(Order.placed_at)
    ).all()
    bought: dict[tuple[int, str], list[tuple[datetime, str]]] = defaultdict(list)
    for customer_id, category, placed_at, title in rows:
        history = bought[(customer_id, category)]
        if not history or history[-1][0] != placed_at:
            history.append((placed_at, title))
    return bought


def learned_intervals(session: Session, config: MessagingConfig) -> dict[str, int]:
    """Days between reorders per consumable type (median of customers' gaps, else the default)."""
    categories = list(config.option("replenishment", "consumable_types", []))
    default = int(config.option("replenishment", "default_interval_days", 60))
    minimum = int(config.option("replenishment", "min_samples", 5))
    gaps: dict[str, list[float]] = defaultdict(list)
    for (_, category), history in _purchases(session, categories).items():
        for (earlier, _), (later, _) in itertools.pairwise(history):
            gaps[category].append((later - earlier).total_seconds() / 86400)
    return {
        category: round(statistics.median(gaps[category])) if len(gaps[category]) >= minimum else default
        for category in categories
    }


def marketing_route(session: Session, customer: Customer) -> Optional[tuple[Channel, str]]:
    """The first channel of the customer's with standing marketing consent: WhatsApp, SMS, email."""
    candidates = [
        (Channel.WHATSAPP, customer.phone),
        (Channel.SMS, customer.phone),
        (Channel.EMAIL, customer.email),
    ]
    for channel, address in candidates:
        if address and may_message(session, channel=channel, address=address, purpose=Purpose.MARKETING):
            return channel, address
    return None


def scan_replenishment(
    session: Session, *, now: datetime, config: Optional[MessagingConfig] = None
) -> list[OutboxMessage]:
    """Queue reminders that fell due in the last ``lookback_days`` (default 2) for consented shoppers."""
    config = config or messaging_config(session)
    if not config.enabled("replenishment"):
        return []
    intervals = learned_intervals(session, config)
    lookback = timedelta(days=int(config.option("replenishment", "lookback_days", 2)))
    queued = []
    for (customer_id, category), history in _purchases(session, list(intervals)).items():
        last, title = history[-1]
        due = last + timedelta(days=intervals[category])
        if not now - lookback <= due <= now:
            continue
        customer = session.get(Customer, customer_id)
        route = marketing_route(session, customer) if customer is not None else None
        if route is None:
            continue
        channel, address = route
        message = enqueue(
            session,
            trigger="replenishment",
            purpose=Purpose.MARKETING.value,
            channel=channel.value,
            recipient=normalize_address(channel, address, region=store_country(session)),
            response="utter_proactive_replenishment",
            object_id=f"{category}:{last.date().isoformat()}",
            day=due.date(),
            due_at=now,
            now=now,
            params={"product": title, "weeks": str(max(1, round(intervals[category] / 7)))},
            customer_id=customer_id,
        )
        if message is not None:
            queued.append(message)
    return queued
