"""Cart recovery: the stored widget cart, the trigger's rules, and what a reply to its nudge carries."""

from __future__ import annotations

from datetime import timedelta
from typing import Iterator

import pytest
from sqlalchemy import delete, select

from store.cart_recovery import scan_cart_recovery
from store.carts import check_out, close_ordered_carts, open_cart, report_cart
from store.consent import Channel, Purpose, Source, grant, withdraw
from store.discounts import CartLine
from store.messaging_config import MessagingConfigError, messaging_config, parse_messaging
from store.models import Customer, Order, OutboxMessage, ShopperCart, Variant
from store.outbox import Status
from store.proactive_context import REPLY_WINDOW, reply_context
from tests.proactive.conftest import NOW

EMAIL, PHONE = "cart.shopper@example.com", "+44 20 7946 0321"
SESSION = "0123456789abcdef0123456789abcdef"
REPORTED = NOW - timedelta(hours=2)  # the cart stopped changing two hours before the scan


@pytest.fixture
def shopper(db) -> Iterator[Customer]:
    """A customer of the store's with a UK mobile and no consent yet (removed after the test)."""
    customer = Customer(first_name="Cara", last_name="Lind", email=EMAIL, phone=PHONE, created_at=NOW)
    db.add(customer)
    db.commit()
    yield customer
    db.rollback()
    db.execute(delete(ShopperCart))
    db.execute(delete(Order).where(Order.customer_id == customer.id))
    db.execute(delete(Customer).where(Customer.id == customer.id))
    db.commit()


def sized_variants(db, count: int = 2) -> list[Variant]:
    return list(
        db.execute(
            select(Variant)
            .where(Variant.size == "M", Variant.inventory_quantity > 0)
            .order_by(Variant.id)
            .limit(count)
        ).scalars()
    )


def consent_on_whatsapp(db, customer: Customer) -> None:
    grant(
        db,
        channel=Channel.WHATSAPP,
        address=PHONE,
        purpose=Purpose.MARKETING,
        source=Source.CHAT,
        wording="Can we message you on WhatsApp about your cart and offers?",
        now=NOW - timedelta(days=3),
        customer_id=customer.id,
    )


def fill_cart(db, variants: list[Variant], *, email: str | None = EMAIL, at=REPORTED) -> ShopperCart:
    cart = report_cart(
        db,
        conversation_id=SESSION,
        lines=[CartLine(sku=v.sku.lower(), quantity=i + 1) for i, v in enumerate(variants)],
        now=at,
        email=email,
    )
    assert cart is not None
    return cart


def test_an_abandoned_cart_gets_one_nudge_on_the_consented_channel(db, shopper):
    consent_on_whatsapp(db, shopper)
    first, second = sized_variants(db)
    cart = fill_cart(db, [first, second])
    assert cart.customer_id == shopper.id and cart.email == EMAIL

    [message] = scan_cart_recovery(db, now=NOW)
    assert (message.trigger, message.purpose, message.channel, message.recipient) == (
        "cart_recovery",
        "marketing",
        "whatsapp",
        "+442079460321",
    )
    assert message.idempotency_key == f"cart_recovery:+442079460321:cart-{cart.id}:2025-06-11"
    assert message.response == "utter_proactive_cart_recovery"
    assert message.customer_id == shopper.id
    label = lambda v: f"{v.product.title} ({v.size}, {v.color})"  # noqa: E731
    assert message.params["items"] == f"{label(first)} and {label(second)}"
    assert message.params["lines"] == [
        {"sku": first.sku, "quantity": 1, "price": f"{first.price:.2f}", "handle": first.product.handle},
        {"sku": second.sku, "quantity": 2, "price": f"{second.price:.2f}", "handle": second.product.handle},
    ]
    assert cart.nudged_at == NOW
    # once per cart: not again the same day, nor the next
    assert scan_cart_recovery(db, now=NOW + timedelta(minutes=5)) == []
    assert scan_cart_recovery(db, now=NOW + timedelta(days=1)) == []
    assert db.execute(
        select(OutboxMessage).where(OutboxMessage.trigger == "cart_recovery")
    ).scalars().all() == [message]
    db.commit()


def test_not_before_the_delay_and_not_for_carts_long_forgotten(db, shopper):
    consent_on_whatsapp(db, shopper)
    fill_cart(db, sized_variants(db, 1))
    delay = timedelta(minutes=messaging_config(db).option("cart_recovery", "delay_minutes", 60))
    assert delay == timedelta(minutes=60)  # data/store/store.yaml
    assert scan_cart_recovery(db, now=REPORTED + delay - timedelta(minutes=1)) == []
    assert scan_cart_recovery(db, now=REPORTED + delay + timedelta(days=3)) == []  # past the 2-day lookback
    assert len(scan_cart_recovery(db, now=REPORTED + delay)) == 1
    db.commit()


def test_a_checked_out_cart_is_not_nudged(db, shopper):
    consent_on_whatsapp(db, shopper)
    fill_cart(db, sized_variants(db, 1))
    closed = check_out(db, conversation_id=SESSION, now=REPORTED + timedelta(minutes=10))
    assert closed is not None and closed.checked_out_at == REPORTED + timedelta(minutes=10)
    assert scan_cart_recovery(db, now=NOW) == []
    # the next cart of the same conversation is a new one
    again = fill_cart(db, sized_variants(db, 1), at=REPORTED + timedelta(minutes=20))
    assert again.id != closed.id and open_cart(db, SESSION) is again
    db.commit()


def test_an_order_by_the_carts_customer_closes_the_cart(db, shopper):
    consent_on_whatsapp(db, shopper)
    cart = fill_cart(db, sized_variants(db, 1))
    ordered = REPORTED + timedelta(minutes=30)
    db.add(Order(number=990001, name="#990001", customer_id=shopper.id, email=EMAIL, placed_at=ordered))
    db.flush()
    assert scan_cart_recovery(db, now=NOW) == []  # the scan closes it first
    assert cart.checked_out_at == ordered
    assert close_ordered_carts(db, now=NOW) == 0
    db.commit()


def test_no_nudge_without_standing_marketing_consent(db, shopper):
    fill_cart(db, sized_variants(db, 1))
    assert scan_cart_recovery(db, now=NOW) == []  # never asked
    consent_on_whatsapp(db, shopper)
    withdraw(
        db, channel=Channel.WHATSAPP, address=PHONE, purpose=Purpose.MARKETING, source=Source.KEYWORD, now=NOW
    )
    assert scan_cart_recovery(db, now=NOW + timedelta(minutes=1)) == []  # said STOP
    db.commit()


def test_no_nudge_for_an_anonymous_cart(db, shopper):
    consent_on_whatsapp(db, shopper)
    cart = fill_cart(db, sized_variants(db, 1), email=None)
    assert cart.customer_id is None
    assert scan_cart_recovery(db, now=NOW) == []
    db.commit()


def test_no_nudge_when_the_trigger_is_switched_off(db, shopper):
    consent_on_whatsapp(db, shopper)
    fill_cart(db, sized_variants(db, 1))
    off = parse_messaging({"triggers": {"cart_recovery": {"enabled": False, "delay_minutes": 60}}})
    assert scan_cart_recovery(db, now=NOW, config=off) == []
    assert len(scan_cart_recovery(db, now=NOW)) == 1  # the store's own setting has it on
    db.commit()


def test_reporting_the_same_cart_again_does_not_restart_the_wait(db, shopper):
    variant = sized_variants(db, 1)[0]
    cart = fill_cart(db, [variant])
    same = report_cart(
        db,
        conversation_id=SESSION,
        lines=[CartLine(sku=variant.sku, quantity=1), CartLine(sku="NO-SUCH-SKU", quantity=3)],
        now=NOW,
    )
    assert (
        same is cart and cart.updated_at == REPORTED and cart.lines == [{"sku": variant.sku, "quantity": 1}]
    )
    changed = report_cart(db, conversation_id=SESSION, lines=[CartLine(sku=variant.sku, quantity=2)], now=NOW)
    assert changed is cart and cart.updated_at == NOW
    assert report_cart(db, conversation_id="f" * 32, lines=[], now=NOW) is None  # nothing to keep
    db.commit()


def test_a_reply_within_the_window_carries_the_cart(db, shopper):
    consent_on_whatsapp(db, shopper)
    first = sized_variants(db, 1)[0]
    fill_cart(db, [first])
    [message] = scan_cart_recovery(db, now=NOW)
    assert reply_context(db, channel=Channel.WHATSAPP, address=PHONE, conversation_id=None, now=NOW) is None
    message.status, message.sent_at = Status.SENT.value, NOW  # as the worker records a send
    db.flush()
    expected = {
        "outbox_id": message.id,
        "trigger": "cart_recovery",
        "channel": "whatsapp",
        "sent_at": NOW.isoformat(),
        "cart": [{"sku": first.sku, "quantity": 1, "price": f"{first.price:.2f}"}],
        "cart_id": message.params["cart_id"],
        "product": first.product.handle,
    }
    later = NOW + timedelta(hours=3)
    assert (
        reply_context(db, channel=Channel.WHATSAPP, address="+442079460321", conversation_id=None, now=later)
        == expected
    )
    assert reply_context(db, channel=Channel.SMS, address=PHONE, conversation_id=None, now=later) is None
    assert (
        reply_context(db, channel=Channel.WHATSAPP, address="+442079460999", conversation_id=None, now=later)
        is None
    )
    assert (
        reply_context(
            db, channel=Channel.WHATSAPP, address=PHONE, conversation_id=None, now=NOW + REPLY_WINDOW
        )
        is None
    )
    db.commit()


def test_a_malformed_delay_stops_the_import_not_the_worker():
    with pytest.raises(MessagingConfigError, match=r"messaging\.triggers\.cart_recovery\.delay_minutes"):
        parse_messaging({"triggers": {"cart_recovery": {"enabled": True, "delay_minutes": "an hour"}}})
    assert (
        parse_messaging({"triggers": {"cart_recovery": {"delay_minutes": 30}}}).option(
            "cart_recovery", "delay_minutes", 60
        )
        == 30
    )
