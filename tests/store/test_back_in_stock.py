"""Back-in-stock subscriptions: consent, one per variant and conversation, cancel, and the trigger."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import PROJECT_ROOT
from store.back_in_stock import BackInStockError, cancel, set_stock, subscribe, subscriptions_of
from store.models import BackInStockSubscription, Product, Variant
from store.schema import migrate
from tests.store.conftest import NOW


def sold_out(session) -> Variant:
    return session.execute(
        select(Variant).where(Variant.inventory_quantity == 0).order_by(Variant.id).limit(1)
    ).scalar_one()


def test_subscribe_needs_consent_a_contact_and_a_sold_out_variant(session):
    variant = sold_out(session)
    common = {"sku": variant.sku, "conversation_id": "c1", "channel": "socketio", "now": NOW}
    with pytest.raises(BackInStockError) as refused:
        subscribe(session, **common, contact="ava@example.com", consent=False)
    assert refused.value.code == "no_consent"
    with pytest.raises(BackInStockError) as no_contact:
        subscribe(session, **common, contact="  ", consent=True)
    assert no_contact.value.code == "no_contact"
    in_stock = session.execute(select(Variant).where(Variant.inventory_quantity > 0).limit(1)).scalar_one()
    with pytest.raises(BackInStockError) as nothing_to_wait_for:
        subscribe(session, **{**common, "sku": in_stock.sku}, contact="ava@example.com", consent=True)
    assert nothing_to_wait_for.value.code == "in_stock"
    with pytest.raises(BackInStockError) as unknown:
        subscribe(session, **{**common, "sku": "NO-SUCH-SKU"}, contact="ava@example.com", consent=True)
    assert unknown.value.code == "unknown_sku"
    assert subscriptions_of(session, "c1") == []


def test_subscribe_shows_cancel_and_the_stock_trigger(session):
    variant = sold_out(session)
    mine = subscribe(session, sku=variant.sku.lower(), conversation_id="c1", channel="socketio",
                     contact="ava@example.com", consent=True, now=NOW)  # fmt: skip
    again = subscribe(session, sku=variant.sku, conversation_id="c1", channel="whatsapp",
                      contact="+15555550100", consent=True, now=NOW)  # fmt: skip
    assert again.id == mine.id and again.contact == "+15555550100"  # one per variant and conversation
    other = subscribe(session, sku=variant.sku, conversation_id="c2", channel="socketio",
                      contact="ben@example.com", consent=True, now=NOW)  # fmt: skip
    shown = subscriptions_of(session, "c1")
    assert [(s.sku, s.product, s.size, s.color) for s in shown] == [
        (variant.sku, variant.product.title, variant.size, variant.color)
    ]
    with pytest.raises(BackInStockError):
        cancel(session, subscription_id=other.id, conversation_id="c1", now=NOW)  # not theirs
    assert cancel(session, subscription_id=mine.id, conversation_id="c1", now=NOW).status == "cancelled"
    assert subscriptions_of(session, "c1") == []
    assert set_stock(session, sku=variant.sku, quantity=0, now=NOW) == []  # still sold out
    due = set_stock(session, sku=variant.sku, quantity=5, now=NOW)
    assert [s.id for s in due] == [other.id] and due[0].status == "due"  # the cancelled one stays quiet
    assert set_stock(session, sku=variant.sku, quantity=9, now=NOW) == []  # already in stock: no repeat
    with pytest.raises(BackInStockError) as negative:
        set_stock(session, sku=variant.sku, quantity=-1, now=NOW)
    assert negative.value.code == "bad_quantity"


def test_stock_set_command_makes_subscriptions_due(empty_engine):
    migrate(empty_engine)
    with Session(empty_engine, future=True) as session:
        product = Product(handle="test-tee", title="Test Tee", description="", vendor="", tags=[])
        product.variants.append(Variant(position=0, sku="TEST-TEE-M", size="M", color="Black", options={},
                                        price=Decimal("20.00"), inventory_quantity=0))  # fmt: skip
        session.add(product)
        session.flush()
        subscribe(session, sku="TEST-TEE-M", conversation_id="c1", channel="socketio",
                  contact="ava@example.com", consent=True, now=NOW)  # fmt: skip
        session.commit()
    env = {**os.environ, "DATABASE_URL": empty_engine.url.render_as_string(hide_password=False)}

    def stock(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "store", "stock", "set", *args], cwd=PROJECT_ROOT,
                              env=env, capture_output=True, text=True, timeout=300)  # fmt: skip

    raised = stock("test-tee-m", "4")
    assert raised.returncode == 0, raised.stderr
    # an empty store has no messaging settings: its triggers are off
    assert (
        raised.stdout.strip()
        == "TEST-TEE-M: stock 4; back-in-stock subscriptions now due: 1; messages queued: 0"
    )
    unknown = stock("NOPE", "4")
    assert unknown.returncode == 2 and "no variant with SKU" in unknown.stderr
    with Session(empty_engine, future=True) as session:
        row = session.execute(select(BackInStockSubscription)).scalar_one()
        assert row.status == "due" and row.due_at is not None
        assert session.execute(select(Variant.inventory_quantity)).scalar_one() == 4
