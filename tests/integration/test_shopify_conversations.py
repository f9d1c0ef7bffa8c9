"""A store connected to (the fake) Shopify, end to end through the real servers and the REST channel.

The servers run with ``SHOPIFY_*`` settings pointing at the fake Admin API on 127.0.0.1 and with a
copy of the sample store that a sync has linked to the fake shop. Webhooks are posted to the Rasa
server's own ``/webhooks/shopify/webhook``, signed as Shopify signs them.
"""

from __future__ import annotations

import asyncio
import copy
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import requests
from sqlalchemy import select

from core import clock
from integrations.shopify import documents
from integrations.shopify.client import AdminClient
from integrations.shopify.sync import sync_shop
from store.db import make_engine, session_scope
from store.models import Order
from tests.fakes.shopify_admin import SECRET, SHOP, TOKEN, FakeShopifyAdmin, ThreadedFake
from tests.fakes.shopify_store import FULFILLMENT, ShopData
from tests.shopify.conftest import connection_to
from tests.support.chat import chat
from tests.support.stacks import copy_store, second_stack_env
from tools.launcher import Stack

pytestmark = pytest.mark.integration

BEN, CHLOE = "ben.buyer@example.com", "chloe.customer@example.com"
SAMPLE_HISTORY_DAYS = 3650
"""The fake shop dates every order's last change to SEEDED_AT (2026-01-01): take them all."""


@pytest.fixture(scope="module")
def shop(store_db_url: str) -> Iterator[FakeShopifyAdmin]:
    with ThreadedFake(FakeShopifyAdmin(data=ShopData.from_store(make_engine(store_db_url)))) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture(scope="module")
def linked_store(store_db_url: str, shop: FakeShopifyAdmin, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the sample store after ``sync``: its rows know their Shopify ids."""
    url = copy_store(store_db_url, tmp_path_factory.mktemp("shopify_store"))

    async def sync() -> None:
        async with AdminClient(connection_to(shop)) as client:
            await sync_shop(client, make_engine(url), now=clock.now(), order_days=SAMPLE_HISTORY_DAYS)

    asyncio.run(sync())
    return url


@pytest.fixture(scope="module")
def shop_stack(
    trained_model: Path,
    stack_env: Dict[str, str],
    linked_store: str,
    shop: FakeShopifyAdmin,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("shopify_stack")
    env = second_stack_env(
        stack_env,
        tmp,
        DATABASE_URL=linked_store,
        SHOPIFY_SHOP_DOMAIN=SHOP,
        SHOPIFY_ADMIN_TOKEN=TOKEN,
        SHOPIFY_WEBHOOK_SECRET=SECRET,
        SHOPIFY_ADMIN_URL=shop.base_url,
    )
    running = Stack(model=trained_model, env=env, log_dir=tmp / "logs").start()
    try:
        yield running
    finally:
        running.stop()


def _sender() -> str:
    return f"shopify-{uuid.uuid4().hex[:10]}"


def _order(url: str, number: int) -> Order:
    with session_scope(make_engine(url)) as session:
        order = session.execute(select(Order).where(Order.number == number)).scalar_one()
        session.expunge(order)
        return order


def delivered(order: Dict[str, Any], at: str) -> Dict[str, Any]:
    """``order`` with every parcel delivered at ``at``, the units not yet shipped in a last one."""
    order = copy.deepcopy(order)
    shipped: Dict[int, int] = defaultdict(int)
    for parcel in order["fulfillments"]:
        parcel.update(shipment_status="delivered", updated_at=at)
        for line in parcel["line_items"]:
            shipped[line["id"]] += line["quantity"]
    rest = [
        {"id": line["id"], "quantity": line["quantity"] - shipped[line["id"]]}
        for line in order["line_items"]
        if line["quantity"] > shipped[line["id"]]
    ]
    order["fulfillments"].append(
        {
            "id": FULFILLMENT + 900_000 + order["id"] % 1000,
            "order_id": order["id"],
            "status": "success",
            "shipment_status": "delivered",
            "created_at": at,
            "updated_at": at,
            "tracking_company": "UPS",
            "tracking_numbers": ["1Z999AA10123456784"],
            "tracking_urls": ["https://www.ups.com/track?tracknum=1Z999AA10123456784"],
            "line_items": rest,
        }
    )
    return {**order, "fulfillment_status": "fulfilled", "updated_at": at}


def test_a_signed_webhook_is_the_next_order_status_answer(shop_stack: Stack, shop: FakeShopifyAdmin) -> None:
    url = f"{shop_stack.rasa_url}/webhooks/shopify/webhook"
    answer = shop.deliver(
        url, "orders/updated", delivered(shop.data.order_named("#1004"), "2026-11-30T15:00:00Z")
    )
    assert (answer.status_code, answer.json()) == (200, {"status": "applied"})
    sender = _sender()
    chat(shop_stack, sender, "where is my order?")
    chat(shop_stack, sender, "#1004")
    assert chat(shop_stack, sender, CHLOE).responses == ["utter_order_delivered"]


def test_an_unsigned_webhook_gets_401_and_changes_nothing(
    shop_stack: Stack, shop: FakeShopifyAdmin, linked_store: str
) -> None:
    body, headers = shop.webhook(
        "orders/cancelled", {**shop.data.order_named("#1003"), "cancelled_at": "2026-11-30T15:00:00Z"}
    )
    headers["X-Shopify-Hmac-Sha256"] = "forged"
    answer = requests.post(
        f"{shop_stack.rasa_url}/webhooks/shopify/webhook", data=body, headers=headers, timeout=30
    )
    assert answer.status_code == 401
    assert _order(linked_store, 1003).cancelled_at is None


def test_a_cancel_shopify_refuses_as_shipped_gets_the_shipped_answer(
    shop_stack: Stack, shop: FakeShopifyAdmin, linked_store: str
) -> None:
    sender = _sender()
    chat(shop_stack, sender, "please cancel my order")
    chat(shop_stack, sender, "#1003")
    assert chat(shop_stack, sender, BEN).responses == ["utter_ask_cancel_confirmed"]
    shop.data.order_named("#1003")["fulfillment_status"] = "fulfilled"  # shipped; the store has not heard yet
    try:
        refused = chat(shop_stack, sender, "/affirm")
    finally:
        shop.data.order_named("#1003")["fulfillment_status"] = None
    assert refused.responses[0] == "utter_cannot_cancel_shipped"
    assert shop.calls("OrderCancel") == [
        {
            "orderId": documents.gid("Order", shop.data.order_named("#1003")["id"]),
            "reason": "CUSTOMER",
            "restock": True,
            "notifyCustomer": True,
            "refundMethod": {"originalPaymentMethodsRefund": True},
            "staffNote": "Cancelled by the shopper through the store assistant",
        }
    ]
    sent = [
        r for r in shop.requests if isinstance(r.body, dict) and "OrderCancel(" in r.body.get("query", "")
    ]
    assert sent[-1].body["query"] == documents.ORDER_CANCEL
    assert sent[-1].headers["X-Shopify-Access-Token"] == TOKEN
    assert _order(linked_store, 1003).cancelled_at is None


def test_a_cancel_shopify_accepts_cancels_the_order_and_its_webhook_brings_the_refund(
    shop_stack: Stack, shop: FakeShopifyAdmin, linked_store: str
) -> None:
    sender = _sender()
    chat(shop_stack, sender, "please cancel my order")
    chat(shop_stack, sender, "#1003")
    chat(shop_stack, sender, BEN)
    assert chat(shop_stack, sender, "/affirm").responses == ["utter_order_cancel_done"]
    order = _order(linked_store, 1003)
    assert order.cancelled_at is not None and order.financial_status == "paid"
    in_shop = shop.data.order_named("#1003")
    assert in_shop["cancelled_at"] and in_shop["financial_status"] == "refunded"
    answer = shop.deliver(f"{shop_stack.rasa_url}/webhooks/shopify/webhook", "orders/cancelled", in_shop)
    assert answer.json() == {"status": "applied"}
    assert _order(linked_store, 1003).financial_status == "refunded"
