"""Replenishment: the reorder interval learned from history, and reminders only where consented."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

from store.consent import Channel, Purpose, Source, grant
from store.messaging_config import messaging_config
from store.models import Category, Customer, LineItem, Order, Product, Variant
from store.replenishment import learned_intervals, scan_replenishment
from tests.proactive.conftest import NOW


def socks_history(db) -> tuple[Customer, Customer]:
    """Two customers buying socks: gaps of 30, 40 and 50 days; the last orders 40 days before NOW."""
    category = Category(name="Test Socks", slug="test-socks")
    product = Product(
        handle="test-sock", title="Test Sock", description="", vendor="", tags=[], category=category
    )
    variant = Variant(
        position=0,
        sku="TEST-SOCK-M",
        size="M",
        color="Grey",
        options={},
        price=Decimal("9.00"),
        inventory_quantity=50,
        product=product,
    )
    ava = Customer(first_name="Ava", email="ava.socks@example.com", phone="+12125550177")
    ben = Customer(first_name="Ben", email="ben.socks@example.com")
    db.add_all([category, product, variant, ava, ben])
    number = 990000
    for customer, days_before in ((ava, [120, 90, 50]), (ben, [80, 40])):  # gaps: 30 and 40; 40
        for before in days_before:
            number += 1
            order = Order(
                number=number,
                name=f"#{number}",
                customer=customer,
                email=customer.email,
                placed_at=NOW - timedelta(days=before),
            )
            order.line_items.append(
                LineItem(
                    position=0,
                    sku=variant.sku,
                    variant=variant,
                    title=product.title,
                    quantity=1,
                    price=Decimal("9.00"),
                )
            )
            db.add(order)
    db.flush()
    return ava, ben


def config_for(db, **options):
    config = messaging_config(db)
    replenishment = {
        "enabled": True,
        "consumable_types": ["Test Socks"],
        "default_interval_days": 60,
        "min_samples": 3,
        **options,
    }
    return dataclasses.replace(config, triggers={**config.triggers, "replenishment": replenishment})


def test_the_interval_is_the_median_gap_between_reorders(db):
    socks_history(db)
    assert learned_intervals(db, config_for(db)) == {"Test Socks": 40}  # gaps 30, 40, 40
    assert learned_intervals(db, config_for(db, min_samples=4)) == {"Test Socks": 60}  # too few: the default
    db.rollback()


def test_reminders_fall_due_after_the_interval_and_need_consent(db):
    _, ben = socks_history(db)
    config = config_for(db)
    # ben's last pair was 40 days ago, ava's 50: both due (ava 10 days ago, outside the 2-day lookback)
    assert scan_replenishment(db, now=NOW, config=config) == []  # ben gave no marketing consent
    grant(
        db,
        channel=Channel.EMAIL,
        address=ben.email,
        purpose=Purpose.MARKETING,
        source=Source.CHAT,
        wording="Remind me when I might be running low",
        now=NOW - timedelta(days=60),
    )
    [reminder] = scan_replenishment(db, now=NOW, config=config)
    assert (
        reminder.trigger,
        reminder.channel,
        reminder.recipient,
        reminder.purpose,
        reminder.customer_id,
    ) == ("replenishment", "email", "ben.socks@example.com", "marketing", ben.id)
    assert reminder.params == {"product": "Test Sock", "weeks": "6"}
    assert scan_replenishment(db, now=NOW + timedelta(hours=1), config=config) == []  # once
    assert (
        scan_replenishment(
            db,
            now=NOW,
            config=dataclasses.replace(
                config, triggers={**config.triggers, "replenishment": {"enabled": False}}
            ),
        )
        == []
    )
    db.rollback()
