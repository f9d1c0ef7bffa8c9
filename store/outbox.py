"""The outbox: every proactive message is a row, written with its trigger and sent at most once.

A trigger :func:`enqueue`\\ s a message with an idempotency key (trigger + recipient + object +
day), so the same event never queues two messages. Workers :func:`claim` due rows in one write
statement: on PostgreSQL its row selection is ``FOR UPDATE SKIP LOCKED`` (several workers take
disjoint rows), on SQLite the statement holds the database's single write lock (workers take
turns). A claim carries its worker's ``host:pid:token`` and a lease.

The rule that makes "never twice" hold across crashes: a row is marked ``sending`` (committed)
before the provider is called. A claimed row whose worker died was never sent, so it goes back
to the queue (:func:`release_abandoned`); a ``sending`` row whose worker died may or may not have
reached the provider, so it is failed with that reason rather than sent again.
"""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, Callable, Mapping, Optional

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.models import OutboxMessage


class Status(str, Enum):
    QUEUED = "queued"
    CLAIMED = "claimed"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    HELD = "held"  # quiet hours or the weekly cap: due again later
    SKIPPED = "skipped"  # no consent, a channel rule, the trigger switched off
    FAILED = "failed"


WAITING = (Status.QUEUED.value, Status.HELD.value)
INTERRUPTED = "interrupted while sending: not retried, the provider may have delivered it"


def idempotency_key(trigger: str, recipient: str, object_id: str, day: date) -> str:
    """``trigger:recipient:object:day``: one message per trigger, shopper, object and day."""
    return f"{trigger}:{recipient}:{object_id}:{day.isoformat()}"


def enqueue(
    session: Session,
    *,
    trigger: str,
    purpose: str,
    channel: str,
    recipient: str,
    response: str,
    object_id: str,
    day: date,
    due_at: datetime,
    now: datetime,
    params: Optional[Mapping[str, Any]] = None,
    customer_id: Optional[int] = None,
    conversation_id: Optional[str] = None,
) -> Optional[OutboxMessage]:
    """Queue one message; None when its idempotency key is already in the outbox."""
    key = idempotency_key(trigger, recipient, object_id, day)
    values = dict(
        idempotency_key=key,
        trigger=trigger,
        purpose=purpose,
        channel=channel,
        recipient=recipient,
        response=response,
        params=dict(params or {}),
        customer_id=customer_id,
        conversation_id=conversation_id,
        status=Status.QUEUED.value,
        due_at=due_at,
        created_at=now,
        attempts=0,
    )
    # ON CONFLICT DO NOTHING rather than a savepoint: a concurrent trigger may insert the same key
    # first, and pysqlite's SAVEPOINT outside a transaction would commit on release
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    done = session.execute(insert(OutboxMessage).values(**values).on_conflict_do_nothing())
    if done.rowcount == 0:
        return None
    return session.execute(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).scalar_one()


def worker_name(token: Optional[str] = None) -> str:
    """``host:pid:token``, the owner written on a claim (the token tells batches apart)."""
    import os

    return f"{socket.gethostname()}:{os.getpid()}:{token or uuid.uuid4().hex[:12]}"


def claim(
    session: Session, *, worker: str, now: datetime, lease: timedelta, limit: int = 20
) -> list[OutboxMessage]:
    """Take up to ``limit`` due rows for ``worker`` (a fresh :func:`worker_name` per batch).

    Commit right after: the claim must be visible to other workers before anything is sent.
    """
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status.in_(WAITING), OutboxMessage.due_at <= now)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()), OutboxMessage.status.in_(WAITING))
        .values(
            status=Status.CLAIMED.value,
            claimed_by=worker,
            lease_until=now + lease,
        )
        .execution_options(synchronize_session=False)
    )
    return list(
        session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.claimed_by == worker, OutboxMessage.status == Status.CLAIMED.value)
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .execution_options(populate_existing=True)
        ).scalars()
    )


def _owner_alive(claimed_by: Optional[str], host: str, alive: Callable[[int], bool]) -> bool:
    """Whether the worker named in a claim may still be running (other hosts: assume so)."""
    parts = (claimed_by or "").split(":")
    if len(parts) < 3 or parts[0] != host or not parts[1].isdigit():
        return True
    return alive(int(parts[1]))


def release_abandoned(session: Session, *, now: datetime, alive: Callable[[int], bool]) -> int:
    """Give back what dead workers held: claimed rows are queued again, ``sending`` rows failed.

    A worker is dead when its lease ran out, or when it ran on this host and its process is gone
    (``alive(pid)`` False), so a restarted worker picks up at once. Returns the rows changed.
    """
    host = socket.gethostname()
    rows = session.execute(
        select(OutboxMessage).where(OutboxMessage.status.in_((Status.CLAIMED.value, Status.SENDING.value)))
    ).scalars()
    changed = 0
    for row in rows:
        expired = row.lease_until is not None and row.lease_until < now
        if not expired and _owner_alive(row.claimed_by, host, alive):
            continue
        if row.status == Status.CLAIMED.value:
            row.status, row.claimed_by, row.lease_until = Status.QUEUED.value, None, None
        else:
            row.status, row.reason = Status.FAILED.value, INTERRUPTED
        changed += 1
    session.flush()
    return changed


def _mine(session: Session, message_id: int, worker: str, status: Status) -> OutboxMessage:
    row = session.get(OutboxMessage, message_id, with_for_update=True, populate_existing=True)
    if row is None or row.claimed_by != worker or row.status != status.value:
        raise LookupError(f"outbox message {message_id} is no longer {status.value} by {worker}")
    return row


def start_sending(session: Session, *, message_id: int, worker: str) -> None:
    """Mark a claimed row ``sending`` (one more attempt); commit before calling the provider."""
    row = _mine(session, message_id, worker, Status.CLAIMED)
    row.status, row.attempts = Status.SENDING.value, row.attempts + 1
    session.flush()


def finish(
    session: Session,
    *,
    message_id: int,
    worker: str,
    status: Status,
    now: datetime,
    reason: Optional[str] = None,
    provider_message_id: Optional[str] = None,
    due_at: Optional[datetime] = None,
    from_status: Status = Status.SENDING,
) -> None:
    """Record the end of one attempt: sent, held/queued until ``due_at``, skipped or failed."""
    row = _mine(session, message_id, worker, from_status)
    row.status, row.reason, row.lease_until = status.value, reason, None
    if status.value in WAITING:
        row.claimed_by = None
    if status is Status.SENT:
        row.sent_at, row.provider_message_id = now, provider_message_id
    if due_at is not None:
        row.due_at = due_at
    session.flush()


_PROGRESS = {"sent": 1, "delivered": 2, "read": 3}


def record_delivery(
    session: Session, *, provider_message_id: str, status: str, now: datetime, error: Optional[str] = None
) -> bool:
    """Apply a provider's status callback; False when no outbox message has that id.

    Delivery only moves forward (sent, delivered, read; callbacks arrive out of order), and a
    failure is always recorded with the provider's error.
    """
    row = session.execute(
        select(OutboxMessage).where(OutboxMessage.provider_message_id == provider_message_id)
    ).scalar_one_or_none()
    if row is None:
        return False
    if status in ("failed", "undelivered"):
        row.status, row.delivery_status, row.reason = Status.FAILED.value, status, error or status
    elif status in _PROGRESS and _PROGRESS[status] > _PROGRESS.get(row.delivery_status or "", 0):
        row.delivery_status = status
        if row.status in (Status.SENT.value, Status.DELIVERED.value) and status != "sent":
            row.status = status
    row.delivery_updated_at = now
    session.flush()
    return True


def fallback_reason(row: OutboxMessage) -> Optional[str]:
    """Why a message went by email instead of its own channel (None: it did not)."""
    fallback = (row.params or {}).get("fallback")
    if not isinstance(fallback, dict):
        return None
    return f"email_fallback from {fallback.get('channel')}: {fallback.get('reason')}"


@dataclass(frozen=True)
class OutboxView:
    """One message as ``python -m store outbox list`` shows it."""

    id: int
    trigger: str
    purpose: str
    channel: str
    recipient: str
    status: str
    reason: Optional[str]
    due_at: str
    attempts: int
    sent_at: Optional[str]
    provider_message_id: Optional[str]
    delivery_status: Optional[str]
    # set when the message went by email instead: the channel and recipient it was queued for, and why
    fallback_from: Optional[str] = None
    fallback_reason: Optional[str] = None


def _fallback(row: OutboxMessage) -> tuple[Optional[str], Optional[str]]:
    fallback = (row.params or {}).get("fallback")
    if not isinstance(fallback, dict):
        return None, None
    return f"{fallback.get('channel')}:{fallback.get('recipient')}", fallback.get("reason")


def list_messages(session: Session, *, status: Optional[str] = None, limit: int = 200) -> list[OutboxView]:
    """The newest messages first, optionally of one status."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == status)
    return [
        OutboxView(
            row.id,
            row.trigger,
            row.purpose,
            row.channel,
            row.recipient,
            row.status,
            row.reason,
            row.due_at.isoformat(),
            row.attempts,
            row.sent_at.isoformat() if row.sent_at else None,
            row.provider_message_id,
            row.delivery_status,
            *_fallback(row),
        )
        for row in session.execute(query).scalars()
    ]
