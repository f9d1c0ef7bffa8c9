"""Triggers: back in stock (store function and CLI) and order updates (shipped, delayed, delivered)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from core.settings import PROJECT_ROOT
from store.back_in_stock import subscribe
from store.channel_contacts import note_inbound
from store.consent import Channel, Purpose, Source, withdraw
from store.messaging_config import messaging_config
from store.models import Fulfillment, OutboxMessage, Variant
from store.outbox_rules import decide
from store.triggers import scan_order_updates, stock_changed
from tests.proactive.conftest import NOW


def sold_out(db) -> Variant:
    return db.execute(
        select(Variant).where(Variant.inventory_quantity == 0).order_by(Variant.id).limit(1)
    ).scalar_one()


def test_stock_rising_queues_one_alert_per_subscriber_on_their_channel(db):
    variant = sold_out(db)
    subscribe(
        db,
        sku=variant.sku,
        conversation_id="whatsapp:15555550142",
        channel="whatsapp",
        contact="+1 555 555 0142",
        consent=True,
        now=NOW,
    )
    subscribe(
        db,
        sku=variant.sku,
        conversation_id="socketio:abc",
        channel="socketio",
        contact="Ava@Example.com",
        consent=True,
        now=NOW,
    )
    change = stock_changed(db, sku=variant.sku, quantity=4, now=NOW)
    queued = change.queued
    assert change.due == 2
    assert sorted((m.trigger, m.channel, m.recipient, m.purpose) for m in queued) == [
        ("back_in_stock", "email", "ava@example.com", "marketing"),
        ("back_in_stock", "whatsapp", "+15555550142", "marketing"),
    ]
    whatsapp = next(m for m in queued if m.channel == "whatsapp")
    assert whatsapp.conversation_id == "whatsapp:15555550142"
    assert whatsapp.params["product"] == variant.product.title and whatsapp.params["sku"] == variant.sku
    assert (
        stock_changed(db, sku=variant.sku, quantity=9, now=NOW).queued == []
    )  # already in stock: nothing new
    # asked for, so no standing consent is needed; a STOP still stops it
    config = messaging_config(db)
    note_inbound(
        db, channel=Channel.WHATSAPP, address="+15555550142", conversation_id="whatsapp:15555550142", now=NOW
    )
    assert decide(db, whatsapp, now=NOW, config=config).action == "send"
    withdraw(
        db,
        channel=Channel.WHATSAPP,
        address="+15555550142",
        purpose=Purpose.MARKETING,
        source=Source.KEYWORD,
        now=NOW,
    )
    assert decide(db, whatsapp, now=NOW, config=config).reason == "consent_withdrawn"
    db.commit()


def test_order_updates_shipped_delayed_and_delivered(db):
    config = messaging_config(db)
    queued = scan_order_updates(db, now=NOW, config=config)
    counts = Counter(message.trigger for message in queued)
    assert set(counts) == {"order_shipped", "order_delayed", "order_delivered"}, counts
    assert all(message.purpose == "service" for message in queued)
    shipped = next(m for m in queued if m.trigger == "order_shipped")
    fulfillment = db.get(Fulfillment, int(shipped.idempotency_key.split(":")[2].removeprefix("fulfillment-")))
    assert shipped.params == {
        "order": fulfillment.order.name,
        "carrier": fulfillment.carrier or "",
        "tracking": fulfillment.tracking_url or fulfillment.tracking_number or "",
    }
    delivered = next(m for m in queued if m.trigger == "order_delivered")
    assert set(delivered.params) == {"order", "return_by"}
    delayed = next(m for m in queued if m.trigger == "order_delayed")
    assert set(delayed.params) == {"order", "eta"}
    # scanning again (the worker does every minute) queues nothing new
    assert scan_order_updates(db, now=NOW + timedelta(minutes=1), config=config) == []
    # each trigger is switched on its own
    off = dataclasses.replace(config, triggers={**config.triggers, "order_delayed": {"enabled": False}})
    db.rollback()
    assert "order_delayed" not in {m.trigger for m in scan_order_updates(db, now=NOW, config=off)}
    db.rollback()


def test_stock_set_command_fires_the_trigger_and_outbox_list_shows_it(db, engine):
    variant = sold_out(db)
    subscribe(
        db,
        sku=variant.sku,
        conversation_id="socketio:cli",
        channel="socketio",
        contact="cli@example.com",
        consent=True,
        now=NOW,
    )
    db.commit()
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False)}

    def store(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "store", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
        )

    done = store("stock", "set", variant.sku.lower(), "3")
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.strip()
        == f"{variant.sku}: stock 3; back-in-stock subscriptions now due: 1; messages queued: 1"
    )
    listed = store("outbox", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [message] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert {k: message[k] for k in ("trigger", "channel", "recipient", "status", "reason")} == {
        "trigger": "back_in_stock",
        "channel": "email",
        "recipient": "cli@example.com",
        "status": "queued",
        "reason": None,
    }
    table = store("outbox", "list")
    assert table.returncode == 0 and "back_in_stock" in table.stdout and "cli@example.com" in table.stdout
    assert db.execute(select(OutboxMessage)).scalars().one().trigger == "back_in_stock"
