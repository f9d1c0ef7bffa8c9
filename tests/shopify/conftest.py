"""Fixtures for the Shopify connection: a copy of the sample store and a fake shop seeded from it."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Dict, List, Tuple

import pytest
from sqlalchemy.engine import Engine

from integrations.shopify.client import AdminClient, ShopifyConnection
from integrations.shopify.sync import sync_shop
from store.db import make_engine
from storefront.channels.shopify_webhooks import ShopifyWebhookInput
from tests.channels.conftest import post, serve
from tests.fakes.shopify_admin import SECRET, SHOP, TOKEN, VERSION, FakeShopifyAdmin
from tests.fakes.shopify_store import ShopData
from tests.support.stacks import copy_store

SYNCED_AT = datetime(2026, 1, 15, tzinfo=timezone.utc)
"""When the fixtures sync: every seeded order (last changed 2026-01-01) is within the 60 days."""


@pytest.fixture
def shop_store(store_db_url: str, tmp_path: Path) -> str:
    """A copy of the sample store (with its CSV-imported rows), for one test to change."""
    return copy_store(store_db_url, tmp_path)


@pytest.fixture
def shop_engine(shop_store: str) -> Engine:
    return make_engine(shop_store)


@pytest.fixture
async def fake_shop(store_db_url: str) -> AsyncIterator[FakeShopifyAdmin]:
    """The fake Shopify Admin API holding the sample store's catalog, customers and orders."""
    fake = await FakeShopifyAdmin(data=ShopData.from_store(make_engine(store_db_url))).start()
    yield fake
    await fake.stop()


def connection_to(fake: FakeShopifyAdmin, *, token: str = TOKEN, version: str = VERSION) -> ShopifyConnection:
    return ShopifyConnection(
        shop_domain=SHOP, api_version=version, admin_url=fake.base_url, token=token, webhook_secret=SECRET
    )


class RecordedSleep:
    """The client's waiting seam: records each wait instead of spending it."""

    def __init__(self) -> None:
        self.waits: List[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def waits() -> RecordedSleep:
    return RecordedSleep()


@pytest.fixture
async def linked_store(
    admin: AdminClient, fake_shop: FakeShopifyAdmin, shop_store: str, shop_engine: Engine, use_store: Callable
) -> Engine:
    """The test's store, synced with the fake shop (its orders know their Shopify ids)."""
    await sync_shop(admin, shop_engine, now=SYNCED_AT)
    use_store(shop_store)
    return shop_engine


@pytest.fixture
async def admin(fake_shop: FakeShopifyAdmin, waits: RecordedSleep) -> AsyncIterator[AdminClient]:
    async with AdminClient(connection_to(fake_shop), sleep=waits) as client:
        yield client


@pytest.fixture
async def receiver(shop_store: str, use_store: Callable[[str], None]) -> AsyncIterator[str]:
    """The receiver's URL, applying deliveries to the test's own copy of the sample store."""
    use_store(shop_store)

    async def no_messages(_message: Any) -> None:
        raise AssertionError("the Shopify channel never starts a conversation")

    async with serve(ShopifyWebhookInput(SECRET, SHOP), no_messages) as url:
        yield f"{url}/webhook"


async def deliver(
    fake: FakeShopifyAdmin, url: str, topic: str, payload: Dict[str, Any], **kw: Any
) -> Tuple[int, str]:
    body, headers = fake.webhook(topic, payload, **kw)
    return await post(url, body, headers)
