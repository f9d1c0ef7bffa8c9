"""Fixtures for the Shopify connection: a copy of the sample store and a fake shop seeded from it."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator, List

import pytest
from sqlalchemy.engine import Engine

from integrations.shopify.client import AdminClient, ShopifyConnection
from store.db import make_engine
from tests.fakes.shopify_admin import SECRET, SHOP, TOKEN, VERSION, FakeShopifyAdmin
from tests.fakes.shopify_store import ShopData
from tests.support.stacks import copy_store


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
async def admin(fake_shop: FakeShopifyAdmin, waits: RecordedSleep) -> AsyncIterator[AdminClient]:
    async with AdminClient(connection_to(fake_shop), sleep=waits) as client:
        yield client
