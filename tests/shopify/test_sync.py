"""``sync_shop``: the sample store's own data comes back from the fake shop and converges."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List

from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from integrations.shopify.client import AdminClient
from integrations.shopify.sync import sync_shop
from store.catalog_version import CATALOG_VERSION_KEY
from store.db import session_scope
from store.models import Base, Order, Product, StoreSetting
from tests.fakes.shopify_admin import FakeShopifyAdmin
from tests.fakes.shopify_store import ORDER, PRODUCT, SEEDED_AT

NOW = datetime(2026, 1, 15, tzinfo=timezone.utc)


def snapshot(engine: Engine) -> Dict[str, List[tuple]]:
    """Every row of every store table, in primary-key order."""
    with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key))]
            for table in Base.metadata.sorted_tables
        }


async def test_sync_takes_over_the_imported_store_and_a_second_run_changes_nothing(
    admin: AdminClient, fake_shop: FakeShopifyAdmin, shop_engine: Engine
) -> None:
    before = snapshot(shop_engine)
    first = await sync_shop(admin, shop_engine, now=NOW, page_size=20)
    after_first = snapshot(shop_engine)
    second = await sync_shop(admin, shop_engine, now=NOW, page_size=20)
    assert snapshot(shop_engine) == after_first
    assert first.outcomes["products"]["applied"] == len(fake_shop.data.products)
    assert first.outcomes == second.outcomes
    # the imported rows were matched (by handle, SKU, email, order number), not duplicated
    for table in ("products", "variants", "customers", "orders", "line_items", "fulfillments"):
        assert len(after_first[table]) == len(before[table]), table
    with session_scope(shop_engine) as session:
        orders = session.execute(select(Order)).scalars().all()
        assert all(order.shopify_id == ORDER + order.id for order in orders)
        products = session.execute(select(Product)).scalars().all()
        assert all(product.shopify_id == PRODUCT + product.id for product in products)
        assert all(order.updated_at == SEEDED_AT for order in orders)


async def test_sync_pages_through_every_kind_with_cursors(
    admin: AdminClient, fake_shop: FakeShopifyAdmin, shop_engine: Engine
) -> None:
    await sync_shop(admin, shop_engine, now=NOW, page_size=20)
    pages = fake_shop.calls("Products")
    assert len(pages) == -(-len(fake_shop.data.products) // 20)
    assert pages[0]["after"] is None and all(page["after"] for page in pages[1:])
    orders = fake_shop.calls("Orders")
    assert orders[0]["query"] == "updated_at:>=2025-11-16T00:00:00Z"


async def test_a_newer_product_from_shopify_reaches_the_catalog_and_moves_its_version(
    admin: AdminClient, fake_shop: FakeShopifyAdmin, shop_engine: Engine
) -> None:
    await sync_shop(admin, shop_engine, now=NOW)
    product = next(iter(fake_shop.data.products.values()))
    product.update(title="Renamed In Shopify", updated_at="2026-01-10T09:00:00+00:00")
    with session_scope(shop_engine) as session:
        version = session.get(StoreSetting, CATALOG_VERSION_KEY).value
    await sync_shop(admin, shop_engine, now=NOW)
    with session_scope(shop_engine) as session:
        stored = session.execute(select(Product).where(Product.shopify_id == product["id"])).scalar_one()
        assert stored.title == "Renamed In Shopify"
        assert session.get(StoreSetting, CATALOG_VERSION_KEY).value == version + 1


async def test_a_page_is_applied_with_a_few_queries_not_a_few_per_row(
    admin: AdminClient, fake_shop: FakeShopifyAdmin, shop_engine: Engine
) -> None:
    selects: List[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(shop_engine, "before_cursor_execute", count)
    try:
        await sync_shop(admin, shop_engine, now=NOW, page_size=50)
    finally:
        event.remove(shop_engine, "before_cursor_execute", count)
    pages = sum(len(fake_shop.calls(kind)) for kind in ("Products", "Customers", "Orders"))
    rows = len(fake_shop.data.products) + len(fake_shop.data.customers) + len(fake_shop.data.orders)
    variants = sum(len(p["variants"]) for p in fake_shop.data.products.values())
    # under two dozen per page (one IN query per key and the collections the upserts walk: 341 for
    # the sample store's 20 pages), where a few per row and per variant were 13,861
    assert len(selects) <= 24 * pages < rows + variants, (len(selects), pages, rows, variants)
