"""The sample store: deterministic, big enough, every order state, committed catalog up to date."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from store.codes import OrderStatus
from store.info import store_timezone
from store.models import Category, Customer, Order, Product, SizeChart, Variant
from store.order_views import order_status
from store.orders import _LOAD
from store.sample.catalog import build_catalog
from store.sample.load import write_sample
from store.sample.orders import CATALOG_SEED
from store.sample.writer import write_products
from tests.store.conftest import NOW


def test_sizes_of_the_sample(session):
    count = lambda model: session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
    assert count(Product) >= 150 and count(Variant) >= 800 and count(Customer) >= 200 and count(Order) >= 500
    charted = {c for chart in session.execute(select(SizeChart)).scalars() for c in chart.categories}
    categories = set(session.execute(select(Category.name)).scalars())
    assert len(categories & charted) >= 6


def test_orders_span_120_days_in_every_state(session):
    orders = session.execute(select(Order).options(*_LOAD)).scalars().all()
    tz = store_timezone(session)
    states = Counter(order_status(o, now=NOW, tz=tz) for o in orders)
    assert set(states) == set(OrderStatus) and min(states.values()) >= 5
    ages = [(NOW - o.placed_at).days for o in orders]
    assert min(ages) == 0 and 100 <= max(ages) <= 120


def test_generation_is_deterministic_and_relative_to_now(tmp_path: Path):
    first = write_sample(seed=7, now=NOW, output_dir=tmp_path / "a")
    second = write_sample(seed=7, now=NOW, output_dir=tmp_path / "b")
    other = write_sample(seed=8, now=NOW, output_dir=tmp_path / "c")
    for name in ("orders", "customers", "fulfillments", "returns"):
        assert getattr(first, name).read_bytes() == getattr(second, name).read_bytes()
    assert first.orders.read_bytes() != other.orders.read_bytes()
    with first.orders.open(encoding="utf-8") as handle:
        rows = {r["Name"]: r for r in csv.DictReader(handle) if r["Email"]}
    assert rows["#1001"]["Email"] == "ava.shopper@example.com"
    assert rows["#1001"]["Created at"].startswith("2025-06-08")  # three days before NOW


def test_committed_catalog_matches_the_generator(tmp_path: Path, data_dir: Path):
    fresh = tmp_path / "products.csv"
    write_products(build_catalog(CATALOG_SEED), fresh)
    assert fresh.read_bytes() == (data_dir / "products.csv").read_bytes(), (
        "data/store/products.csv is stale: run python scripts/generate_sample_store.py"
    )
