"""Shopify CSV imports: both product header styles round-trip; bad rows are rejected by row number
and nothing is written."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Optional

import pytest

from store import agents
from store.catalog import get_product, search_products
from store.catalog_version import catalog_version
from store.db import session_scope
from store.importers.errors import StoreImportError
from store.importers.load import StoreFiles, import_store, table_counts
from store.orders import find_order
from store.recommend import recommend
from store.recommendation_log import record_shown, shown_in
from store.sample.catalog import build_catalog
from store.sample.writer import write_products
from tests.store.conftest import NOW

TODAY = date(2025, 6, 11)
SAMPLE = build_catalog(42)[:12] + [p for p in build_catalog(42) if p.category == "Sneakers"][:2]


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def orders_csv(tmp_path: Path) -> Path:
    sneaker = SAMPLE[-1].variants[0]
    rows = []
    for n in range(1, 10):  # orders #2001..#2009, two lines each: rows 2..19
        for line in range(2):
            row = {
                "Name": f"#{2000 + n}",
                "Email": "",
                "Financial Status": "",
                "Created at": "",
                "Currency": "",
                "Total": "",
                "Shipping Country": "",
                "Lineitem quantity": "1",
                "Lineitem name": f"{SAMPLE[-1].title} - {sneaker.size} / {sneaker.color}",
                "Lineitem price": str(sneaker.price),
                "Lineitem sku": sneaker.sku,
            }
            if line == 0:
                row.update(
                    {
                        "Email": f"shopper{n}@example.com",
                        "Financial Status": "paid",
                        "Created at": "2025-06-01 10:15:32 -0400",
                        "Currency": "USD",
                        "Total": "99.00",
                        "Shipping Country": "US",
                    }
                )
            rows.append(row)
    return _write(tmp_path / "orders.csv", rows)


@pytest.mark.parametrize("style", ["legacy", "current"])
def test_products_round_trip_in_both_header_styles(empty_engine, data_dir, tmp_path, style, orders_csv):
    products = tmp_path / "products.csv"
    write_products(SAMPLE, products, style=style)
    counts = import_store(
        empty_engine, StoreFiles(products=products, policies=data_dir, orders=orders_csv), today=TODAY
    )
    assert counts["products"] == len(SAMPLE)
    assert counts["variants"] == sum(len(p.variants) for p in SAMPLE)
    assert counts["orders"] == 9 and counts["line_items"] == 18
    source = SAMPLE[0]
    with session_scope(empty_engine) as session:
        detail = get_product(session, product=source.title)
        assert (detail.handle, detail.vendor, detail.category) == (
            source.handle,
            source.vendor,
            source.category,
        )
        assert {(v.sku, v.size, v.color, v.price, v.inventory_quantity) for v in detail.variants} == {
            (v.sku, v.size, v.color, v.price, v.inventory) for v in source.variants
        }
        assert detail.description.startswith("The ") and "<p>" not in detail.description
        assert search_products(session, text=source.title, limit=1)[0].handle == source.handle
        order = find_order(session, order_number="2003", contact="SHOPPER3@example.com")
        assert order.items[0].size == SAMPLE[-1].variants[0].size and order.placed_at.hour == 14


class RecordedProgress:
    """An import progress that keeps what it is told, in order (the CLI draws the same calls)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, Optional[int]]] = []
        self.rows: list[int] = []

    def step(self, label: str, rows: Optional[int] = None) -> None:
        self.steps.append((label, rows))
        self.rows.append(0)

    def advance(self, rows: int = 1) -> None:
        self.rows[-1] += rows


def test_an_import_reports_each_step_and_every_row(empty_engine, data_dir, tmp_path, orders_csv):
    products = tmp_path / "products.csv"
    write_products(SAMPLE, products)
    rows = len(_rows(products))
    progress = RecordedProgress()
    import_store(
        empty_engine,
        StoreFiles(products=products, policies=data_dir, orders=orders_csv),
        today=TODAY,
        progress=progress,
    )
    assert progress.steps == [
        (f"policies from {data_dir}", None),
        ("products.csv", rows),
        ("orders.csv", 18),
        ("saving", None),
    ]
    assert progress.rows == [0, rows, 18, 0]


def test_an_import_keeps_the_console_accounts(empty_engine, data_dir, tmp_path):
    _imported(empty_engine, data_dir, tmp_path)
    with session_scope(empty_engine) as session:
        agents.add_agent(session, "Dana", "correct horse battery")
    assert _imported(empty_engine, data_dir, tmp_path)["agents"] == 1
    with session_scope(empty_engine) as session:
        assert agents.sign_in(session, "Dana", "correct horse battery") == "Dana"


def _imported(engine, data_dir, tmp_path):
    products = tmp_path / "good_products.csv"
    write_products(SAMPLE, products)
    import_store(engine, StoreFiles(products=products, policies=data_dir), today=TODAY)
    return table_counts(engine)


def test_bad_order_row_is_reported_and_nothing_changes(empty_engine, data_dir, tmp_path, orders_csv):
    before = _imported(empty_engine, data_dir, tmp_path)
    rows = _rows(orders_csv)
    rows[15]["Lineitem quantity"] = "x"  # spreadsheet row 17 (the header is row 1)
    _write(orders_csv, rows)
    products = tmp_path / "products.csv"
    write_products(SAMPLE[:3], products)
    with pytest.raises(StoreImportError) as error:
        import_store(
            empty_engine, StoreFiles(products=products, policies=data_dir, orders=orders_csv), today=TODAY
        )
    assert str(error.value) == "orders.csv row 17: Lineitem quantity 'x' is not a whole number"
    assert table_counts(empty_engine) == before


@pytest.mark.parametrize(
    "column,value,row,message",
    [
        ("Price", "12,99.x", 3, "Price '12,99.x' is not an amount"),
        ("SKU", "SHARED", 4, "duplicate SKU 'SHARED' (first on row 3)"),
        ("Inventory quantity", "1.5", 5, "Inventory quantity '1.5' is not a whole number"),
    ],
)
def test_bad_product_rows(empty_engine, data_dir, tmp_path, column, value, row, message):
    before = _imported(empty_engine, data_dir, tmp_path)
    products = tmp_path / "products.csv"
    write_products(SAMPLE, products)
    rows = _rows(products)
    rows[row - 2][column] = value
    if column == "SKU":
        rows[row - 3][column] = value
    _write(products, rows)
    with pytest.raises(StoreImportError) as error:
        import_store(empty_engine, StoreFiles(products=products, policies=data_dir), today=TODAY)
    assert str(error.value) == f"products.csv row {row}: {message}"
    assert table_counts(empty_engine) == before


@pytest.mark.parametrize(
    "edit,message",
    [
        (
            lambda rows: rows[0].update({"Created at": "yesterday"}),
            "orders.csv row 2: Created at 'yesterday' is not a date and time",
        ),
        (
            lambda rows: rows[4].update({"Name": "#2001"}),
            "orders.csv row 6: order #2001 appears again after other orders"
            " (rows of an order must be together)",
        ),
        (
            lambda rows: rows[4].update({"Email": "not-an-email"}),
            "orders.csv row 6: Email 'not-an-email' is not an email address",
        ),
        (
            lambda rows: rows[1].update({"Lineitem quantity": "0"}),
            "orders.csv row 3: Lineitem quantity '0' must be at least 1",
        ),
    ],
)
def test_bad_order_rows(empty_engine, data_dir, tmp_path, orders_csv, edit, message):
    rows = _rows(orders_csv)
    edit(rows)
    _write(orders_csv, rows)
    products = tmp_path / "products.csv"
    write_products(SAMPLE, products)
    with pytest.raises(StoreImportError) as error:
        import_store(
            empty_engine, StoreFiles(products=products, policies=data_dir, orders=orders_csv), today=TODAY
        )
    assert str(error.value) == message
    assert table_counts(empty_engine)["products"] == 0


def test_not_a_products_export(empty_engine, data_dir, tmp_path):
    bogus = _write(tmp_path / "products.csv", [{"Name": "x", "Cost": "1"}])
    with pytest.raises(StoreImportError, match="neither 'Handle' nor 'URL handle'"):
        import_store(empty_engine, StoreFiles(products=bogus, policies=data_dir), today=TODAY)


def test_bad_policy_yaml(empty_engine, data_dir, tmp_path):
    policies = tmp_path / "policies"
    policies.mkdir()
    for path in data_dir.glob("*.yaml"):
        (policies / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    text = (
        (policies / "shipping.yaml")
        .read_text(encoding="utf-8")
        .replace('cutoff: "12:00"', 'cutoff: "25:00"', 1)
    )
    (policies / "shipping.yaml").write_text(text, encoding="utf-8")
    products = tmp_path / "products.csv"
    write_products(SAMPLE, products)
    with pytest.raises(StoreImportError) as error:
        import_store(empty_engine, StoreFiles(products=products, policies=policies), today=TODAY)
    assert str(error.value) == "shipping.yaml: zones[0].methods[1].cutoff: '25:00' is not a time HH:MM"


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("discounts.yaml", "public: [WELCOME10, FREESHIP]", "public: [WELCOME10, NOSUCHCODE]",
         "discounts.yaml: offers.public: NOSUCHCODE not among codes"),
        ("discounts.yaml", "price_adjustment_days: 14", "price_adjustment_days: two weeks",
         "discounts.yaml: offers.price_adjustment_days 'two weeks': a number of days, 0 for never"),
        ("discounts.yaml", "price_match: false", "price_match: sometimes",
         "discounts.yaml: offers.price_match 'sometimes': true or false"),
        ("store.yaml", 'gift_wrap: "4.95"', "gift_wrap: sometimes",
         "store.yaml: gifts.gift_wrap 'sometimes': a price, true (free) or false"),
        ("shipping.yaml", "duties: recipient", "duties: nobody",
         "shipping.yaml: duties 'nobody': recipient or store (leave it out if unknown)"),
        ("shipping.yaml", "pickup: false", "pickup: true",
         "shipping.yaml: pickup True: false, or where and when orders can be collected"),
    ],
)  # fmt: skip
def test_bad_offers_gift_wrap_and_delivery_terms(empty_engine, data_dir, tmp_path, file, old, new, message):
    """Each new policy setting the import checks, refused with its file and key."""
    policies = tmp_path / "policies"
    policies.mkdir()
    for path in data_dir.glob("*.yaml"):
        (policies / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    text = (policies / file).read_text(encoding="utf-8")
    assert old in text
    (policies / file).write_text(text.replace(old, new), encoding="utf-8")
    products = tmp_path / "products.csv"
    write_products(SAMPLE, products)
    with pytest.raises(StoreImportError) as error:
        import_store(empty_engine, StoreFiles(products=products, policies=policies), today=TODAY)
    assert str(error.value) == message


def test_each_import_moves_the_catalog_version_past_the_last(empty_engine, data_dir, tmp_path):
    """Caches of the catalog (the recommender's snapshot, the NLU matcher) are keyed by it."""
    _imported(empty_engine, data_dir, tmp_path)
    with session_scope(empty_engine) as session:
        first = catalog_version(session)
    _imported(empty_engine, data_dir, tmp_path)
    with session_scope(empty_engine) as session:
        assert catalog_version(session) == first + 1 > 0


def test_an_import_keeps_what_shoppers_were_shown(empty_engine, data_dir, tmp_path):
    _imported(empty_engine, data_dir, tmp_path)
    with session_scope(empty_engine) as session:
        rec = recommend(session, need="a rain jacket")[0]
        record_shown(session, conversation_id="c1", need="a rain jacket", shown=[rec], now=NOW)
    _imported(empty_engine, data_dir, tmp_path)
    with session_scope(empty_engine) as session:
        assert [(r.handle, r.sku, r.position) for r in shown_in(session, "c1")] == [
            (rec.handle, rec.variant_sku, 1)
        ]
