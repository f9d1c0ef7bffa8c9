"""The webhook receiver on a real Sanic server, with deliveries signed as Shopify signs them."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any, Dict

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from integrations.shopify.webhooks import sign
from store.back_in_stock import subscribe
from store.codes import OrderStatus
from store.db import session_scope
from store.info import store_timezone
from store.models import BackInStockSubscription, Order, OutboxMessage, Product, ShopifyDelivery, Variant
from store.order_views import order_status
from tests.channels.conftest import post
from tests.fakes.shopify_admin import SECRET, FakeShopifyAdmin
from tests.fakes.shopify_store import FULFILLMENT, LOCATION_ID
from tests.shopify.conftest import deliver
from tests.shopify.test_sync import snapshot

NOW = datetime(2026, 1, 15, tzinfo=timezone.utc)


def unshipped(fake: FakeShopifyAdmin) -> Dict[str, Any]:
    """A copy of #1003 as the fake shop has it: paid, not shipped yet."""
    return copy.deepcopy(fake.data.order_named("#1003"))


def status_of(engine: Engine, number: int) -> OrderStatus:
    with session_scope(engine) as session:
        order = session.execute(select(Order).where(Order.number == number)).scalar_one()
        return order_status(order, now=NOW, tz=store_timezone(session))


def shipped(order: Dict[str, Any], at: str) -> Dict[str, Any]:
    """``order`` with every unit shipped in one parcel at ``at``."""
    parcel = {
        "id": FULFILLMENT + 999_001,
        "order_id": order["id"],
        "status": "success",
        "shipment_status": "in_transit",
        "created_at": at,
        "updated_at": at,
        "tracking_company": "UPS",
        "tracking_numbers": ["1Z999AA10123456784"],
        "tracking_urls": ["https://www.ups.com/track?tracknum=1Z999AA10123456784"],
        "line_items": [{"id": line["id"], "quantity": line["quantity"]} for line in order["line_items"]],
    }
    return {**order, "fulfillment_status": "fulfilled", "updated_at": at, "fulfillments": [parcel]}


async def test_a_signed_order_update_ships_the_order_in_the_store(
    fake_shop: FakeShopifyAdmin, receiver: str, shop_engine: Engine
) -> None:
    assert status_of(shop_engine, 1003) == OrderStatus.UNFULFILLED
    status, text = await deliver(
        fake_shop, receiver, "orders/updated", shipped(unshipped(fake_shop), "2026-01-14T10:00:00Z")
    )
    assert (status, text) == (200, '{"status":"applied"}')
    assert status_of(shop_engine, 1003) == OrderStatus.IN_TRANSIT


@pytest.mark.parametrize("signature", [None, "", "bm90IHRoZSBzaWduYXR1cmU=", "sha256=abc"])
async def test_an_unsigned_or_wrongly_signed_delivery_gets_401_and_changes_nothing(
    fake_shop: FakeShopifyAdmin, receiver: str, shop_engine: Engine, signature: Any
) -> None:
    before = snapshot(shop_engine)
    body, headers = fake_shop.webhook("orders/updated", shipped(unshipped(fake_shop), "2026-01-14T10:00:00Z"))
    headers.pop("X-Shopify-Hmac-Sha256")
    if signature is not None:
        headers["X-Shopify-Hmac-Sha256"] = signature
    assert (await post(receiver, body, headers))[0] == 401
    assert snapshot(shop_engine) == before


async def test_a_body_changed_after_signing_gets_401(
    fake_shop: FakeShopifyAdmin, receiver: str, shop_engine: Engine
) -> None:
    before = snapshot(shop_engine)
    body, headers = fake_shop.webhook("orders/cancelled", unshipped(fake_shop))
    tampered = body.replace(b'"#1003"', b'"#1004"')
    assert (await post(receiver, tampered, headers))[0] == 401
    assert snapshot(shop_engine) == before


async def test_a_delivery_for_another_shop_gets_401(fake_shop: FakeShopifyAdmin, receiver: str) -> None:
    body, headers = fake_shop.webhook("orders/updated", unshipped(fake_shop))
    headers["X-Shopify-Shop-Domain"] = "someone-else.myshopify.com"
    assert (await post(receiver, body, headers))[0] == 401


async def test_a_duplicate_delivery_is_applied_once(
    fake_shop: FakeShopifyAdmin, receiver: str, shop_engine: Engine
) -> None:
    cancelled = {
        **unshipped(fake_shop),
        "cancelled_at": "2026-01-14T09:00:00Z",
        "updated_at": "2026-01-14T09:00:00Z",
    }
    assert await deliver(fake_shop, receiver, "orders/cancelled", cancelled, webhook_id="wh-1") == (
        200,
        '{"status":"applied"}',
    )
    with session_scope(shop_engine) as session:  # someone changes the row after the delivery
        session.execute(select(Order).where(Order.number == 1003)).scalar_one().note = "kept"
    assert await deliver(fake_shop, receiver, "orders/cancelled", cancelled, webhook_id="wh-1") == (
        200,
        '{"status":"duplicate"}',
    )
    with session_scope(shop_engine) as session:
        assert session.execute(select(Order.note).where(Order.number == 1003)).scalar_one() == "kept"
        assert session.execute(select(func.count()).select_from(ShopifyDelivery)).scalar_one() == 1


async def test_one_event_through_two_subscriptions_is_applied_once(
    fake_shop: FakeShopifyAdmin, receiver: str, shop_engine: Engine
) -> None:
    cancelled = {
        **unshipped(fake_shop),
        "cancelled_at": "2026-01-14T09:00:00Z",
        "updated_at": "2026-01-14T09:00:00Z",
    }
    first = await deliver(
        fake_shop, receiver, "orders/cancelled", cancelled, webhook_id="a-1", event_id="ev-7"
    )
    assert first == (200, '{"status":"applied"}')
    # the same event from a second subscription to the topic: its own webhook id, the same event id
    second = await deliver(
        fake_shop, receiver, "orders/cancelled", cancelled, webhook_id="b-1", event_id="ev-7"
    )
    assert second == (200, '{"status":"duplicate"}')
    # the event's delivery on another topic is another payload: it is applied
    updated = await deliver(
        fake_shop, receiver, "orders/updated", cancelled, webhook_id="c-1", event_id="ev-7"
    )
    assert updated == (200, '{"status":"applied"}')
    with session_scope(shop_engine) as session:
        recorded = session.execute(select(ShopifyDelivery.webhook_id, ShopifyDelivery.event_id)).all()
        assert sorted(recorded) == [("a-1", "ev-7"), ("c-1", "ev-7")]


async def test_an_older_update_after_a_newer_one_changes_nothing(
    fake_shop: FakeShopifyAdmin, receiver: str, shop_engine: Engine
) -> None:
    newer = {
        **unshipped(fake_shop),
        "cancelled_at": "2026-01-14T12:00:00Z",
        "updated_at": "2026-01-14T12:00:00Z",
    }
    older = shipped(unshipped(fake_shop), "2026-01-14T10:00:00Z")
    assert (await deliver(fake_shop, receiver, "orders/cancelled", newer))[1] == '{"status":"applied"}'
    before = snapshot(shop_engine)
    assert (await deliver(fake_shop, receiver, "orders/updated", older))[1] == '{"status":"stale"}'
    after = snapshot(shop_engine)
    assert {k: v for k, v in after.items() if k != "shopify_deliveries"} == {
        k: v for k, v in before.items() if k != "shopify_deliveries"
    }
    assert status_of(shop_engine, 1003) == OrderStatus.CANCELLED


async def test_a_fulfillment_delivery_updates_the_parcel(
    fake_shop: FakeShopifyAdmin, receiver: str, shop_engine: Engine
) -> None:
    order = shipped(unshipped(fake_shop), "2026-01-14T10:00:00Z")
    await deliver(fake_shop, receiver, "orders/updated", order)
    parcel = {
        **order["fulfillments"][0],
        "shipment_status": "delivered",
        "updated_at": "2026-01-15T08:00:00Z",
    }
    assert (await deliver(fake_shop, receiver, "fulfillments/update", parcel))[1] == '{"status":"applied"}'
    assert status_of(shop_engine, 1003) == OrderStatus.DELIVERED


async def test_inventory_levels_add_up_per_location_and_late_ones_are_dropped(
    fake_shop: FakeShopifyAdmin, receiver: str, shop_engine: Engine
) -> None:
    product = next(iter(fake_shop.data.products.values()))
    await deliver(fake_shop, receiver, "products/update", {**product, "updated_at": "2026-01-14T10:00:00Z"})
    item = product["variants"][0]["inventory_item_id"]
    levels = [
        (LOCATION_ID, 4, "2026-01-14T11:00:00Z", "applied"),
        (LOCATION_ID + 1, 3, "2026-01-14T11:00:00Z", "applied"),
        (LOCATION_ID, 9, "2026-01-14T10:30:00Z", "stale"),  # older than the figure it would replace
    ]
    for location, available, at, outcome in levels:
        payload = {
            "inventory_item_id": item,
            "location_id": location,
            "available": available,
            "updated_at": at,
        }
        assert (await deliver(fake_shop, receiver, "inventory_levels/update", payload))[
            1
        ] == f'{{"status":"{outcome}"}}'
    with session_scope(shop_engine) as session:
        variant = session.execute(select(Variant).where(Variant.inventory_item_id == item)).scalar_one()
        assert variant.inventory_quantity == 7


async def test_an_inventory_webhook_that_restocks_a_variant_makes_its_alerts_due(
    fake_shop: FakeShopifyAdmin, receiver: str, shop_engine: Engine
) -> None:
    product = next(iter(fake_shop.data.products.values()))
    await deliver(fake_shop, receiver, "products/update", {**product, "updated_at": "2026-01-14T10:00:00Z"})
    item = product["variants"][0]["inventory_item_id"]
    at = iter(["2026-01-14T11:00:00Z", "2026-01-14T12:00:00Z", "2026-01-14T13:00:00Z"])

    async def level(available: int) -> None:
        payload = {"inventory_item_id": item, "location_id": LOCATION_ID, "available": available,
                   "updated_at": next(at)}  # fmt: skip
        assert (await deliver(fake_shop, receiver, "inventory_levels/update", payload))[
            1
        ] == '{"status":"applied"}'

    await level(0)
    with session_scope(shop_engine) as session:
        sku = session.execute(select(Variant.sku).where(Variant.inventory_item_id == item)).scalar_one()
        subscribe(session, sku=sku, conversation_id="rest:anna", channel="email", contact="anna@example.com",
                  consent=True, now=datetime(2026, 1, 14, 11, 30, tzinfo=timezone.utc))  # fmt: skip
    await level(2)
    await level(5)  # already back: nothing more becomes due
    with session_scope(shop_engine) as session:
        rows = session.execute(
            select(BackInStockSubscription).where(BackInStockSubscription.sku == sku)
        ).scalars()
        assert [(r.status, r.due_at is not None) for r in rows] == [("due", True)]
        queued = session.execute(
            select(OutboxMessage).where(OutboxMessage.trigger == "back_in_stock")
        ).scalars()
        assert [(m.channel, m.recipient, m.params["sku"]) for m in queued] == [
            ("email", "anna@example.com", sku)
        ]


async def test_a_deleted_product_leaves_the_catalog(
    fake_shop: FakeShopifyAdmin, receiver: str, shop_engine: Engine
) -> None:
    product = next(iter(fake_shop.data.products.values()))
    await deliver(fake_shop, receiver, "products/update", {**product, "updated_at": "2026-01-14T10:00:00Z"})
    assert (await deliver(fake_shop, receiver, "products/delete", {"id": product["id"]}))[
        1
    ] == '{"status":"applied"}'
    with session_scope(shop_engine) as session:
        assert (
            session.execute(select(Product.status).where(Product.shopify_id == product["id"])).scalar_one()
            == "archived"
        )


async def test_a_signed_but_malformed_payload_gets_400_and_changes_nothing(
    fake_shop: FakeShopifyAdmin, receiver: str, shop_engine: Engine
) -> None:
    before = snapshot(shop_engine)
    status, _ = await deliver(fake_shop, receiver, "orders/updated", {"name": "#1003"})
    assert status == 400
    _, headers = fake_shop.webhook("orders/updated", {})
    assert (await post(receiver, b"[1, 2", {**headers, "X-Shopify-Hmac-Sha256": sign(SECRET, b"[1, 2")}))[
        0
    ] == 400
    assert snapshot(shop_engine) == before


async def test_topics_we_do_not_handle_are_acknowledged_and_dropped(
    fake_shop: FakeShopifyAdmin, receiver: str
) -> None:
    assert await deliver(fake_shop, receiver, "carts/update", {"id": 1}) == (200, '{"status":"ignored"}')


async def test_delivery_ids_are_forgotten_after_a_week(
    fake_shop: FakeShopifyAdmin, receiver: str, shop_engine: Engine
) -> None:
    """Shopify retries for four hours; the table does not grow for ever."""
    long_ago = datetime(2020, 1, 1, tzinfo=timezone.utc)
    with session_scope(shop_engine) as session:
        session.add(
            ShopifyDelivery(webhook_id="old", topic="orders/updated", received_at=long_ago, outcome="applied")
        )
    customer = next(iter(fake_shop.data.customers.values()))
    await deliver(fake_shop, receiver, "customers/update", customer, webhook_id="new")
    with session_scope(shop_engine) as session:
        assert session.execute(select(ShopifyDelivery.webhook_id)).scalars().all() == ["new"]
