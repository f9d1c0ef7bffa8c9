"""Shopify's ``returns/*`` webhooks on the real receiver: a return the assistant requested in the
fake shop moves through approve, close, reopen, decline and cancel; a return asked in Shopify is
written; late, repeated and badly signed deliveries change nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine

from integrations.shopify.returns import request_return_in_shop
from store.db import session_scope
from store.models import Order, Return
from tests.channels.conftest import post
from tests.fakes.shopify_admin import FakeShopifyAdmin
from tests.fakes.shopify_returns import return_webhook
from tests.fakes.shopify_store import fulfillment_line_items
from tests.shopify.conftest import connection_to, deliver
from tests.shopify.test_sync import snapshot

AVA = "ava.shopper@example.com"
APPLIED, STALE, IGNORED = '{"status":"applied"}', '{"status":"stale"}', '{"status":"ignored"}'


def _line(engine: Engine, number: int, title: str) -> int:
    with session_scope(engine) as session:
        order = session.execute(select(Order).where(Order.number == number)).scalar_one()
        return next(line.id for line in order.line_items if line.title.startswith(title))


def _row(
    engine: Engine, rma: str
) -> Tuple[str, Optional[datetime], Optional[str], str, str, List[Tuple[int, int]]]:
    with session_scope(engine) as session:
        ret = session.execute(select(Return).where(Return.rma == rma)).scalar_one()
        items = sorted((i.line_item_id, i.quantity) for i in ret.items)
        return ret.status, ret.received_at, ret.shopify_id, ret.reason, ret.resolution, items


def _without_deliveries(engine: Engine) -> Dict[str, Any]:
    """Every table but the record of deliveries received (which an ignored delivery still adds to)."""
    return {table: rows for table, rows in snapshot(engine).items() if table != "shopify_deliveries"}


async def _requested(fake: FakeShopifyAdmin, engine: Engine, title: str) -> Tuple[str, Dict[str, Any]]:
    """The assistant's return of one ``title`` of #1010, requested in the fake shop; the RMA and
    the fake shop's return."""
    result = await request_return_in_shop(
        connection_to(fake), order_number="1010", contact=AVA, items=[(_line(engine, 1010, title), 1)],
        reason="too_small", resolution="refund",
    )  # fmt: skip
    assert result.ok and result.rma
    order_id = fake.data.order_named("#1010")["id"]
    ret = next(r for r in fake.data.returns[order_id] if r["name"] == result.rma)
    return result.rma, ret


def _payload(fake: FakeShopifyAdmin, ret: Dict[str, Any], status: str) -> Dict[str, Any]:
    """The webhook of ``ret`` moving to ``status``, moved in the fake shop first, as Shopify does."""
    ret["status"] = status.upper()
    return return_webhook(fake.data, fake.data.order_named("#1010")["id"], ret, status)


async def test_an_approved_then_closed_return_is_approved_then_received_in_the_store(
    fake_shop: FakeShopifyAdmin, linked_store: Engine, receiver: str
) -> None:
    rma, ret = await _requested(fake_shop, linked_store, "Pocket Tee")
    assert _row(linked_store, rma)[0] == "requested"
    assert await deliver(fake_shop, receiver, "returns/approve", _payload(fake_shop, ret, "open")) == (
        200,
        APPLIED,
    )
    assert _row(linked_store, rma)[:3] == ("approved", None, f"gid://shopify/Return/{ret['id']}")
    closed = await deliver(fake_shop, receiver, "returns/close", _payload(fake_shop, ret, "closed"))
    assert closed == (200, APPLIED)
    status, received_at, *_ = _row(linked_store, rma)
    assert status == "received" and received_at is not None
    assert await deliver(fake_shop, receiver, "returns/reopen", _payload(fake_shop, ret, "open")) == (
        200,
        APPLIED,
    )
    assert _row(linked_store, rma)[0] == "approved"


async def test_late_deliveries_never_move_a_return_back(
    fake_shop: FakeShopifyAdmin, linked_store: Engine, receiver: str
) -> None:
    rma, ret = await _requested(fake_shop, linked_store, "Pocket Tee")
    await deliver(fake_shop, receiver, "returns/approve", _payload(fake_shop, ret, "open"))
    await deliver(fake_shop, receiver, "returns/close", _payload(fake_shop, ret, "closed"))
    before = _row(linked_store, rma)
    # the request and the approval arrive after the close (Shopify retries them, late)
    for topic, status in (("returns/request", "requested"), ("returns/approve", "open")):
        assert await deliver(fake_shop, receiver, topic, _payload(fake_shop, ret, status)) == (200, STALE)
    # a return that was approved cannot be declined any more
    assert await deliver(fake_shop, receiver, "returns/decline", _payload(fake_shop, ret, "declined")) == (
        200,
        STALE,
    )
    assert _row(linked_store, rma) == before


async def test_a_declined_request_is_rejected_and_a_cancelled_one_cancelled(
    fake_shop: FakeShopifyAdmin, linked_store: Engine, receiver: str
) -> None:
    declined_rma, declined = await _requested(fake_shop, linked_store, "Pocket Tee")
    payload = _payload(fake_shop, declined, "declined")
    assert payload["decline"]["reason"] == "final_sale"
    assert await deliver(fake_shop, receiver, "returns/decline", payload) == (200, APPLIED)
    assert _row(linked_store, declined_rma)[0] == "rejected"

    cancelled_rma, cancelled = await _requested(fake_shop, linked_store, "Pocket Tee")
    assert cancelled_rma != declined_rma  # the declined return freed the tee for a new request
    await deliver(fake_shop, receiver, "returns/approve", _payload(fake_shop, cancelled, "open"))
    assert await deliver(
        fake_shop, receiver, "returns/cancel", _payload(fake_shop, cancelled, "canceled")
    ) == (
        200,
        APPLIED,
    )
    assert _row(linked_store, cancelled_rma)[0] == "cancelled"


async def test_a_repeated_delivery_is_applied_once(
    fake_shop: FakeShopifyAdmin, linked_store: Engine, receiver: str
) -> None:
    rma, ret = await _requested(fake_shop, linked_store, "Pocket Tee")
    approve = _payload(fake_shop, ret, "open")
    assert await deliver(fake_shop, receiver, "returns/approve", approve, webhook_id="wh-r1") == (
        200,
        APPLIED,
    )
    with session_scope(linked_store) as session:  # the store team moves it on meanwhile
        session.execute(select(Return).where(Return.rma == rma)).scalar_one().status = "in_transit"
    again = await deliver(fake_shop, receiver, "returns/approve", approve, webhook_id="wh-r1")
    assert again == (200, '{"status":"duplicate"}')
    assert _row(linked_store, rma)[0] == "in_transit"


async def test_a_return_asked_in_shopify_is_written_to_the_store(
    fake_shop: FakeShopifyAdmin, linked_store: Engine, receiver: str
) -> None:
    """Made in the shop (its returns page, or staff): the webhook is the store's only news of it."""
    order = fake_shop.data.order_named("#1010")
    with session_scope(linked_store) as session:
        local = session.execute(select(Order).where(Order.number == 1010)).scalar_one()
        tee = next(line for line in local.line_items if line.title.startswith("Pocket Tee"))
        tee_id, tee_shopify_id = tee.id, tee.shopify_id
    fulfillment_line = next(f for f, line, _ in fulfillment_line_items(order) if line == tee_shopify_id)
    made_in_shop = {
        "id": 9_500_000_001,
        "name": f"{order['name']}-R9",
        "return_line_items": [
            {"fulfillment_line_item_id": fulfillment_line, "quantity": 1, "return_reason": "SIZE_TOO_LARGE"}
        ],
    }
    payload = _payload(fake_shop, made_in_shop, "requested")
    assert await deliver(fake_shop, receiver, "returns/request", payload) == (200, APPLIED)
    assert _row(linked_store, "#1010-R9") == (
        "requested", None, "gid://shopify/Return/9500000001", "too_big", "refund", [(tee_id, 1)],
    )  # fmt: skip
    assert await deliver(fake_shop, receiver, "returns/approve", {**payload, "status": "open"}) == (
        200,
        APPLIED,
    )
    assert _row(linked_store, "#1010-R9")[0] == "approved"


async def test_returns_of_orders_or_returns_the_store_does_not_know_are_acknowledged_and_dropped(
    fake_shop: FakeShopifyAdmin, linked_store: Engine, receiver: str
) -> None:
    before = _without_deliveries(linked_store)
    unknown_order = {
        "id": 9_500_000_002,
        "admin_graphql_api_id": "gid://shopify/Return/9500000002",
        "status": "requested",
        "name": "#9999-R1",
        "order": {"id": 1, "admin_graphql_api_id": "gid://shopify/Order/1"},
        "return_line_items": [],
    }
    assert await deliver(fake_shop, receiver, "returns/request", unknown_order) == (200, IGNORED)
    unknown_return = {**unknown_order, "status": "open"}
    assert await deliver(fake_shop, receiver, "returns/approve", unknown_return) == (200, IGNORED)
    assert _without_deliveries(linked_store) == before


async def test_a_badly_signed_or_malformed_return_delivery_changes_nothing(
    fake_shop: FakeShopifyAdmin, linked_store: Engine, receiver: str
) -> None:
    rma, ret = await _requested(fake_shop, linked_store, "Pocket Tee")
    body, headers = fake_shop.webhook("returns/approve", _payload(fake_shop, ret, "open"))
    assert (await post(receiver, body, {**headers, "X-Shopify-Hmac-Sha256": "bm90IGl0"}))[0] == 401
    assert _row(linked_store, rma)[0] == "requested"
    no_id = {
        k: v for k, v in _payload(fake_shop, ret, "open").items() if k not in ("id", "admin_graphql_api_id")
    }
    assert (await deliver(fake_shop, receiver, "returns/approve", no_id))[0] == 400
    assert _row(linked_store, rma)[0] == "requested"
