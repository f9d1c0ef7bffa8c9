"""The Admin GraphQL client against the fake shop: sign-in, version, throttling, user errors."""

from __future__ import annotations

import pytest

from integrations.shopify import documents
from integrations.shopify.client import AdminClient, ShopifyError, ShopifyThrottled
from tests.fakes.shopify_admin import TOKEN, FakeShopifyAdmin
from tests.shopify.conftest import RecordedSleep, connection_to


async def test_requests_carry_the_token_at_the_pinned_version(
    admin: AdminClient, fake_shop: FakeShopifyAdmin
) -> None:
    data = await admin.query(documents.PRODUCTS, {"first": 2, "after": None})
    assert len(data["products"]["nodes"]) == 2
    request = fake_shop.requests[-1]
    assert request.path == "/admin/api/2025-07/graphql.json"
    assert request.headers["X-Shopify-Access-Token"] == TOKEN
    assert request.body["variables"] == {"first": 2, "after": None}


async def test_a_wrong_token_or_version_is_an_error_not_an_empty_answer(fake_shop: FakeShopifyAdmin) -> None:
    for connection in (
        connection_to(fake_shop, token="shpat_wrong"),
        connection_to(fake_shop, version="2024-01"),
    ):
        async with AdminClient(connection) as client:
            with pytest.raises(ShopifyError, match=r"HTTP (401|404)"):
                await client.query(documents.PRODUCTS, {"first": 1, "after": None})


async def test_pages_follow_the_end_cursor_to_the_last_page(
    admin: AdminClient, fake_shop: FakeShopifyAdmin
) -> None:
    seen, after = [], None
    while True:
        page = (await admin.query(documents.CUSTOMERS, {"first": 7, "after": after}))["customers"]
        seen += [node["legacyResourceId"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(map(int, seen)) == sorted(fake_shop.data.customers) and len(seen) == len(set(seen))


async def test_throttled_requests_wait_for_the_bucket_and_are_retried(
    admin: AdminClient, fake_shop: FakeShopifyAdmin, waits: RecordedSleep
) -> None:
    fake_shop.throttle_next(2)
    data = await admin.query(
        documents.ORDER_STATE, {"id": documents.gid("Order", next(iter(fake_shop.data.orders)))}
    )
    assert data["order"] is not None
    # the fake reports half the requested cost (1 point) available, refilled at 100 points a second
    assert waits.waits == [pytest.approx(0.005), pytest.approx(0.005)]
    assert [r.status for r in fake_shop.requests] == [200, 200, 200]
    assert fake_shop.calls("OrderState")  # the third attempt was accepted


async def test_a_client_that_stays_throttled_gives_up(
    fake_shop: FakeShopifyAdmin, waits: RecordedSleep
) -> None:
    fake_shop.throttle_next(10)
    async with AdminClient(connection_to(fake_shop), sleep=waits, max_attempts=3) as client:
        with pytest.raises(ShopifyThrottled):
            await client.query(documents.COUNTS, {"query": None})
    assert len(waits.waits) == 3 and not fake_shop.calls("Counts")


async def test_a_low_bucket_makes_the_client_wait_before_the_next_request(
    admin: AdminClient, fake_shop: FakeShopifyAdmin, waits: RecordedSleep
) -> None:
    fake_shop.maximum_available = 120  # a products page costs 112: 8 points left afterwards
    await admin.query(documents.PRODUCTS, {"first": 1, "after": None})
    await admin.query(documents.PRODUCTS, {"first": 1, "after": None})
    assert waits.waits == [pytest.approx((112 - 8) / 100)]


async def test_user_errors_come_back_typed(admin: AdminClient, fake_shop: FakeShopifyAdmin) -> None:
    shipped = next(o for o in fake_shop.data.orders.values() if o["fulfillment_status"] == "fulfilled")
    result = await admin.mutate(
        documents.ORDER_CANCEL,
        {"orderId": documents.gid("Order", shipped["id"]), "reason": "CUSTOMER", "restock": True},
        name="orderCancel",
        errors_key="orderCancelUserErrors",
    )
    assert not result.ok
    assert result.user_errors[0].code == "INVALID" and result.user_errors[0].field == ("orderId",)
    assert shipped["cancelled_at"] is None


async def test_undocumented_variables_are_refused_by_the_fake(admin: AdminClient) -> None:
    with pytest.raises(ShopifyError, match="invalid value"):
        await admin.query(documents.ORDER_STATE, {"id": "1003"})
