"""Cancellations and address changes asked of the fake shop, recorded in a real SQLite store."""

from __future__ import annotations

from typing import Callable

from sqlalchemy import select
from sqlalchemy.engine import Engine

from integrations.shopify import documents
from integrations.shopify.writeback import cancel_in_shop, change_address_in_shop
from store.codes import OrderChangeRefusal
from store.db import session_scope
from store.models import Order
from store.orders import Address
from tests.fakes.shopify_admin import FakeShopifyAdmin
from tests.shopify.conftest import connection_to
from tests.shopify.test_sync import snapshot

BEN = "ben.buyer@example.com"


def _order(engine: Engine, number: int) -> Order:
    with session_scope(engine) as session:
        order = session.execute(select(Order).where(Order.number == number)).scalar_one()
        session.expunge(order)
        return order


async def test_a_cancel_sends_the_documented_mutation_and_the_store_follows(
    fake_shop: FakeShopifyAdmin, linked_store: Engine
) -> None:
    shopify_id = fake_shop.data.order_named("#1003")["id"]
    result = await cancel_in_shop(connection_to(fake_shop), order_number="1003", contact=BEN)
    assert result.ok
    assert fake_shop.calls("OrderCancel") == [
        {
            "orderId": f"gid://shopify/Order/{shopify_id}",
            "reason": "CUSTOMER",
            "restock": True,
            "notifyCustomer": True,
            "refundMethod": {"originalPaymentMethodsRefund": True},
            "staffNote": "Cancelled by the shopper through the store assistant",
        }
    ]
    assert fake_shop.requests[-1].body["query"] == documents.ORDER_CANCEL
    order = _order(linked_store, 1003)
    assert order.cancelled_at is not None and order.cancel_reason == "customer"
    assert order.financial_status == "paid"  # the refund arrives with Shopify's webhook, not before


async def test_an_order_shipped_in_shopify_is_refused_as_shipped_and_nothing_changes(
    fake_shop: FakeShopifyAdmin, linked_store: Engine
) -> None:
    fake_shop.data.order_named("#1003")["fulfillment_status"] = "fulfilled"  # the store has not heard yet
    before = snapshot(linked_store)
    result = await cancel_in_shop(connection_to(fake_shop), order_number="1003", contact=BEN)
    assert (result.ok, result.reason) == (False, OrderChangeRefusal.ALREADY_FULFILLED)
    assert result.order is not None and result.order.number == 1003
    assert snapshot(linked_store) == before
    assert fake_shop.calls("OrderState")  # the reason was read back from Shopify


async def test_the_store_still_refuses_what_its_rules_refuse_without_asking_shopify(
    fake_shop: FakeShopifyAdmin, linked_store: Engine
) -> None:
    wrong_contact = await cancel_in_shop(
        connection_to(fake_shop), order_number="1003", contact="x@example.com"
    )
    shipped = await cancel_in_shop(
        connection_to(fake_shop), order_number="1001", contact="ava.shopper@example.com"
    )
    assert wrong_contact.reason == OrderChangeRefusal.NOT_FOUND
    assert shipped.reason == OrderChangeRefusal.ALREADY_FULFILLED
    assert not fake_shop.calls("OrderCancel")


async def test_an_unreachable_shop_changes_nothing_and_goes_to_a_person(
    fake_shop: FakeShopifyAdmin, linked_store: Engine
) -> None:
    before = snapshot(linked_store)
    result = await cancel_in_shop(
        connection_to(fake_shop, token="shpat_revoked"), order_number="1003", contact=BEN
    )
    assert result.reason == OrderChangeRefusal.SHOP_REFUSED
    assert snapshot(linked_store) == before


async def test_an_order_only_imported_from_csv_is_not_changed_behind_shopifys_back(
    fake_shop: FakeShopifyAdmin, shop_store: str, use_store: Callable
) -> None:
    use_store(shop_store)  # never synced: #1003 has no Shopify id
    result = await cancel_in_shop(connection_to(fake_shop), order_number="1003", contact=BEN)
    assert result.reason == OrderChangeRefusal.SHOP_REFUSED and not fake_shop.calls("OrderCancel")


async def test_an_address_change_sends_a_mailing_address_and_keeps_shopifys_answer(
    fake_shop: FakeShopifyAdmin, linked_store: Engine
) -> None:
    address = Address(
        name="Ben Buyer",
        address1="5 Hudson Yards",
        city="New York",
        region="NY",
        postal_code="10001",
        country="US",
    )
    result = await change_address_in_shop(
        connection_to(fake_shop), order_number="1003", contact=BEN, address=address
    )
    assert result.ok
    (variables,) = fake_shop.calls("OrderUpdate")
    sent = dict(variables["input"]["shippingAddress"])
    assert sent.pop("phone", None) == _order(linked_store, 1003).shipping_address.get("phone")  # kept
    assert sent == {
        "firstName": "Ben",
        "lastName": "Buyer",
        "address1": "5 Hudson Yards",
        "city": "New York",
        "provinceCode": "NY",
        "zip": "10001",
        "countryCode": "US",
    }
    order = _order(linked_store, 1003)
    assert order.shipping_address["address1"] == "5 Hudson Yards"
    assert (
        order.updated_at is not None
        and order.updated_at.isoformat() == fake_shop.data.order_named("#1003")["updated_at"]
    )
