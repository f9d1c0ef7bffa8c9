"""The outbox: idempotency keys, claims that never overlap, abandoned claims, delivery callbacks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from store.models import OutboxMessage
from store.outbox import (
    INTERRUPTED,
    Status,
    claim,
    enqueue,
    finish,
    list_messages,
    record_delivery,
    release_abandoned,
    start_sending,
    worker_name,
)
from tests.proactive.conftest import NOW

LEASE = timedelta(minutes=5)


def queue(db, object_id: str, **overrides):
    fields = {
        "trigger": "order_shipped",
        "purpose": "service",
        "channel": "whatsapp",
        "recipient": "+12125550100",
        "response": "utter_proactive_order_shipped",
        "object_id": object_id,
        "day": NOW.date(),
        "due_at": NOW,
        "now": NOW,
        "params": {"order": "#1001"},
        **overrides,
    }
    return enqueue(db, **fields)


def test_one_message_per_trigger_recipient_object_and_day(db):
    first = queue(db, "1001")
    assert first is not None and first.idempotency_key == "order_shipped:+12125550100:1001:2025-06-11"
    assert queue(db, "1001") is None
    assert queue(db, "1001", day=NOW.date() + timedelta(days=1)) is not None
    assert queue(db, "1002") is not None
    db.commit()
    assert db.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 3


def test_claims_never_overlap_and_only_take_due_rows(db, engine):
    for number in range(5):
        queue(db, str(number))
    queue(db, "later", due_at=NOW + timedelta(hours=1))
    db.commit()
    a, b = worker_name(), worker_name()
    first = claim(db, worker=a, now=NOW, lease=LEASE, limit=3)
    db.commit()
    second = claim(db, worker=b, now=NOW, lease=LEASE, limit=10)
    db.commit()
    assert len(first) == 3 and len(second) == 2
    assert not {row.id for row in first} & {row.id for row in second}
    assert {row.attempts for row in first + second} == {0}  # an attempt is a call to the provider
    assert claim(db, worker=worker_name(), now=NOW, lease=LEASE) == []


def test_a_dead_workers_claims_return_to_the_queue_and_its_sends_fail(db):
    queue(db, "claimed")
    queue(db, "sending")
    db.commit()
    dead = "somewhere-else:1:x"  # another host: only its lease can free it
    rows = claim(db, worker=dead, now=NOW, lease=LEASE)
    sending = next(row for row in rows if row.idempotency_key.endswith(":sending:2025-06-11"))
    start_sending(db, message_id=sending.id, worker=dead)
    db.commit()
    assert release_abandoned(db, now=NOW + timedelta(minutes=1), alive=lambda pid: False) == 0
    assert release_abandoned(db, now=NOW + LEASE + timedelta(seconds=1), alive=lambda pid: False) == 2
    db.commit()
    states = {
        row.idempotency_key.split(":")[2]: (row.status, row.reason, row.attempts)
        for row in db.execute(select(OutboxMessage)).scalars()
    }
    assert states == {"claimed": ("queued", None, 0), "sending": ("failed", INTERRUPTED, 1)}


def test_a_claim_of_a_dead_process_on_this_host_is_freed_at_once(db):
    queue(db, "1")
    db.commit()
    mine = worker_name()
    claim(db, worker=mine, now=NOW, lease=LEASE)
    db.commit()
    assert release_abandoned(db, now=NOW, alive=lambda pid: True) == 0
    assert release_abandoned(db, now=NOW, alive=lambda pid: False) == 1


def test_delivery_callbacks_only_move_forward(db):
    queue(db, "1")
    db.commit()
    worker = worker_name()
    [row] = claim(db, worker=worker, now=NOW, lease=LEASE)
    start_sending(db, message_id=row.id, worker=worker)
    finish(db, message_id=row.id, worker=worker, status=Status.SENT, now=NOW, provider_message_id="wamid.1")
    assert record_delivery(db, provider_message_id="wamid.1", status="read", now=NOW)
    assert record_delivery(db, provider_message_id="wamid.1", status="delivered", now=NOW)  # late, ignored
    assert (row.status, row.delivery_status) == ("read", "read")
    assert not record_delivery(db, provider_message_id="wamid.unknown", status="read", now=NOW)
    assert record_delivery(db, provider_message_id="wamid.1", status="failed", now=NOW, error="131026")
    [view] = list_messages(db)
    assert (view.trigger, view.status, view.reason, view.delivery_status) == (
        "order_shipped",
        "failed",
        "131026",
        "failed",
    )
