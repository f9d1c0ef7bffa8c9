"""Alembic migrations of the store schema, on SQLite and PostgreSQL.

The defect they replace: ``migrate`` was ``create_all`` plus a version number, so a column added to
a model was recorded as migrated without existing. Here a model change becomes a revision, the
revision really alters the database, a database from the old code is taken over with its data, and
the models cannot drift from the revisions unnoticed.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, String, func, inspect, select, text
from sqlalchemy.engine import Engine

from store.db import session_scope
from store.models import Agent, Base, Handoff, LineItem, Order, StoreSetting
from store.models.base import NAMING_CONVENTION
from store.schema import (
    BASELINE,
    VERSIONS_DIR,
    Migration,
    SchemaError,
    alembic_config,
    head_revision,
    migrate,
    require_schema,
    write_revision,
)

LEGACY_DIR = Path(__file__).parent / "legacy"
AT = datetime(2025, 6, 1, 14, 30)  # naive UTC, as the tables store instants
ORDER_TABLES = ("orders", "line_items", "fulfillments", "fulfillment_lines", "returns", "return_items")


def differences(engine: Engine, metadata: MetaData = Base.metadata) -> list:
    """What autogenerate would change to make the database match ``metadata`` (types included)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def revision_in_database(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]


def row_counts(engine: Engine, tables: tuple[str, ...] = ORDER_TABLES) -> dict[str, int]:
    with engine.connect() as connection:
        return {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}  # noqa: S608


def build_legacy_store(engine: Engine, versions: tuple[int, ...] = (1, 2)) -> None:
    """A database as the pre-Alembic code left it: its frozen DDL, ``schema_version`` rows, data.

    Ids are left to the database, as the importers did, so that its sequences are where a real
    store's would be.
    """
    rows = [
        ("categories", {"name": "Tops", "slug": "tops"}),
        ("products", {"handle": "trail-tee", "title": "Trail Tee", "description": "", "vendor": "Northwind",
                      "category_id": 1, "tags": json.dumps(["summer"]), "status": "active",
                      "final_sale": False}),
        ("variants", {"product_id": 1, "position": 0, "sku": "TT-M-BLU", "size": "M", "color": "Blue",
                      "options": "{}", "price": 2500, "inventory_quantity": 4}),
        ("customers", {"first_name": "Ava", "last_name": "Shopper", "email": "ava@example.com",
                       "phone": "+1 415 555 0101", "phone_key": "14155550101",
                       "accepts_email_marketing": True, "accepts_sms_marketing": False,
                       "accepts_whatsapp_marketing": False, "tags": "[]"}),
        ("orders", {"number": 1001, "name": "#1001", "customer_id": 1, "email": "ava@example.com",
                    "placed_at": AT, "financial_status": "paid", "fulfillment_status": "fulfilled",
                    "currency": "USD", "subtotal": 5000, "shipping": 595, "taxes": 0, "total": 5595,
                    "discount_amount": 0, "shipping_address": json.dumps({"city": "San Francisco"}),
                    "refunded_amount": 0, "tags": "[]", "lock_version": 3}),
        ("line_items", {"order_id": 1, "position": 0, "sku": "TT-M-BLU", "variant_id": 1,
                        "title": "Trail Tee", "quantity": 2, "price": 2500}),
        ("fulfillments", {"order_id": 1, "carrier": "USPS", "tracking_number": "9400111",
                          "shipment_status": "delivered", "shipped_at": AT,
                          "estimated_delivery": date(2025, 6, 4), "delivered_at": AT}),
        ("fulfillment_lines", {"fulfillment_id": 1, "line_item_id": 1, "quantity": 2}),
        ("returns", {"rma": "RMA-1001-1", "order_id": 1, "status": "requested", "reason": "too_small",
                     "resolution": "exchange", "request_key": "1", "created_at": AT}),
        ("return_items", {"return_id": 1, "line_item_id": 1, "quantity": 1}),
        ("handoffs", {"conversation_id": "conv-1", "channel": "socketio", "status": "queued",
                      "offline": False, "reason": "asked_for_person", "summary": "wants a person",
                      "context": "{}", "created_at": AT}),
        ("handoff_messages", {"handoff_id": 1, "sender": "shopper", "text": "hello?", "at": AT}),
        ("agents", {"name": "dana", "password_hash": "scrypt$x", "active": True, "created_at": AT}),
        ("store_settings", {"key": "name", "value": json.dumps("Northwind Outfitters")}),
    ]  # fmt: skip
    ddl = (LEGACY_DIR / f"schema_v2.{engine.dialect.name}.sql").read_text(encoding="utf-8")
    ddl = "\n".join(line for line in ddl.splitlines() if not line.startswith("--"))
    with engine.begin() as connection:
        for statement in filter(str.strip, ddl.split(";")):
            connection.exec_driver_sql(statement)
        for name, values in rows:
            columns = ", ".join(values)
            params = ", ".join(f":{c}" for c in values)
            connection.execute(text(f"INSERT INTO {name} ({columns}) VALUES ({params})"), values)  # noqa: S608
        for version in versions:
            connection.execute(
                text("INSERT INTO schema_version (version, applied_at) VALUES (:v, :at)"),
                {"v": version, "at": AT},
            )


def test_the_revisions_form_one_line_from_the_baseline() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [head_revision()]
    chain = [r.revision for r in script.walk_revisions()]
    assert chain[-1] == BASELINE and script.get_revision(BASELINE).down_revision is None


def test_the_models_match_the_migrations(empty_engine: Engine) -> None:
    assert migrate(empty_engine) == Migration(before=None, after=head_revision())
    assert differences(empty_engine) == []
    assert revision_in_database(empty_engine) == [head_revision()]
    require_schema(empty_engine)


def test_migrating_twice_changes_nothing_the_second_time(empty_engine: Engine) -> None:
    migrate(empty_engine)
    assert migrate(empty_engine) == Migration(before=head_revision(), after=head_revision())
    assert revision_in_database(empty_engine) == [head_revision()]


def test_a_database_from_the_old_code_is_taken_over_with_its_data(empty_engine: Engine) -> None:
    build_legacy_store(empty_engine)
    with pytest.raises(SchemaError) as refused:
        require_schema(empty_engine)
    assert str(refused.value) == (
        "the store database predates migrations (schema version 2): run `python -m store migrate`"
    )

    assert migrate(empty_engine) == Migration(before=BASELINE, after=head_revision(), adopted_version=2)

    require_schema(empty_engine)
    assert revision_in_database(empty_engine) == [head_revision()]
    assert not inspect(empty_engine).has_table("schema_version")
    # Same tables, columns, types, indexes and constraint names as a database migrated from empty
    # (on SQLite the old code left constraints unnamed: the takeover names them).
    assert differences(empty_engine) == []
    assert row_counts(empty_engine) == dict.fromkeys(ORDER_TABLES, 1)
    with session_scope(empty_engine) as session:
        order = session.execute(select(Order).where(Order.number == 1001)).scalar_one()
        assert (order.total, order.shipping, order.lock_version) == (Decimal("55.95"), Decimal("5.95"), 3)
        assert order.placed_at == AT.replace(tzinfo=timezone.utc)
        assert order.shipping_address == {"city": "San Francisco"}
        assert order.customer.email == "ava@example.com"
        assert [(i.sku, i.quantity, i.price, i.variant.product.handle) for i in order.line_items] == [
            ("TT-M-BLU", 2, Decimal("25.00"), "trail-tee")
        ]
        assert [(line.quantity, line.line_item.sku) for line in order.fulfillments[0].lines] == [
            (2, "TT-M-BLU")
        ]
        assert [(r.rma, [i.quantity for i in r.items]) for r in order.returns] == [("RMA-1001-1", [1])]
        handoff = session.execute(select(Handoff)).scalar_one()
        assert [m.text for m in handoff.messages] == ["hello?"]
        assert session.get(StoreSetting, "name").value == "Northwind Outfitters"
        # The sequences carried on: new rows get the next ids.
        session.add(Agent(name="eli", password_hash="scrypt$y", created_at=datetime.now(timezone.utc)))
        session.flush()
        assert [a.id for a in session.execute(select(Agent).order_by(Agent.id)).scalars()] == [1, 2]


def test_an_old_database_at_another_version_is_refused_untouched(empty_engine: Engine) -> None:
    build_legacy_store(empty_engine, versions=(1,))
    with pytest.raises(SchemaError) as refused:
        migrate(empty_engine)
    assert str(refused.value) == (
        "the store database is at pre-migration schema version 1, which no revision describes: "
        "load it again with `python -m store import`"
    )
    assert not inspect(empty_engine).has_table("alembic_version")
    assert inspect(empty_engine).has_table("schema_version")


def test_store_tables_without_any_version_are_refused(empty_engine: Engine) -> None:
    Base.metadata.tables["categories"].create(empty_engine)
    with pytest.raises(SchemaError, match="has store tables but no schema revision"):
        migrate(empty_engine)


def test_a_database_migrated_by_newer_code_is_refused(empty_engine: Engine) -> None:
    migrate(empty_engine)
    with empty_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    expected = (
        "the store database is at revision ffffffffffff, which this code does not know "
        "(newer code migrated it): run that code or a newer one"
    )
    for check in (migrate, require_schema):
        with pytest.raises(SchemaError) as refused:
            check(empty_engine)
        assert str(refused.value) == expected


def test_a_model_change_becomes_a_revision_that_adds_the_column(empty_engine: Engine, tmp_path: Path) -> None:
    """The defect the migrations exist for: a column added to a model must exist after migrate."""
    build_legacy_store(empty_engine)
    migrate(empty_engine)
    changed = MetaData(naming_convention=NAMING_CONVENTION)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["orders"].append_column(Column("gift_message", String(200), nullable=True))
    config = alembic_config(version_dirs=(VERSIONS_DIR, tmp_path))
    config.attributes["target_metadata"] = changed

    path = write_revision("add gift messages", config=config, version_path=tmp_path)

    assert path.parent == tmp_path and path.name.endswith("_add_gift_messages.py")
    source = path.read_text(encoding="utf-8")
    assert f'down_revision = "{head_revision()}"' in source
    assert 'batch_op.add_column(sa.Column("gift_message", sa.String(length=200), nullable=True))' in source
    with pytest.raises(SchemaError, match=r"the store schema is at revision \w+, the code needs \w+: run"):
        require_schema(empty_engine, config=config)

    done = migrate(empty_engine, config=config)

    assert (done.before, done.after) == (head_revision(), head_revision(config))
    assert done.after != head_revision()
    assert "gift_message" in {c["name"] for c in inspect(empty_engine).get_columns("orders")}
    assert differences(empty_engine, changed) == []
    assert row_counts(empty_engine) == dict.fromkeys(ORDER_TABLES, 1)
    require_schema(empty_engine, config=config)


def test_a_revision_that_copies_a_table_keeps_the_rows_that_point_at_it(
    empty_engine: Engine, tmp_path: Path
) -> None:
    """On SQLite a changed column type copies ``orders`` and drops the original; with foreign keys
    on, that drop would delete every line item, fulfillment and return by cascade."""
    build_legacy_store(empty_engine)
    migrate(empty_engine)
    (tmp_path / "widen_order_names.py").write_text(
        f'''"""Widen order names."""

import sqlalchemy as sa
from alembic import op

revision = "0a1b2c3d4e5f"
down_revision = "{head_revision()}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch_op:
        batch_op.alter_column("name", type_=sa.String(60), existing_nullable=False)
''',
        encoding="utf-8",
    )
    config = alembic_config(version_dirs=(VERSIONS_DIR, tmp_path))

    assert migrate(empty_engine, config=config).after == "0a1b2c3d4e5f"

    assert row_counts(empty_engine) == dict.fromkeys(ORDER_TABLES, 1)
    name = next(c for c in inspect(empty_engine).get_columns("orders") if c["name"] == "name")
    assert name["type"].length == 60
    with session_scope(empty_engine) as session:  # and the foreign keys are back on afterwards
        assert session.execute(select(func.count(LineItem.id))).scalar_one() == 1
        if empty_engine.dialect.name == "sqlite":
            assert session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
