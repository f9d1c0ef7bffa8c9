"""The helpdesk bridge's queue: handoffs to forward (retried with backoff), replies taken once.

A handoff that should reach the helpdesk gets a :class:`~store.models.HelpdeskForward` row in the
same transaction as the handoff (:func:`create_forwarded_handoff`), so the shopper's handoff never
waits on the helpdesk and a helpdesk outage loses nothing: a worker claims due rows
(:func:`claim_due_forwards`), and each failure schedules the next attempt further out
(:data:`RETRY_DELAYS`) until :data:`MAX_ATTEMPTS`, after which the row is ``failed`` and shown to
the team (``python -m store helpdesk``, the server log). The shopper is never told: the handoff
itself is in the agent console whatever the helpdesk does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import clock
from store.handoffs import HandoffView, create_handoff, get_handoff
from store.models import HelpdeskForward, HelpdeskReply

RETRY_DELAYS = (10, 30, 60, 120, 300, 600, 1800, 3600, 3600, 3600)
"""Seconds before the next attempt after the 1st, 2nd... failure (about three hours in all)."""

MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
LEASE = timedelta(minutes=2)
"""How long a claimed row is left to its worker before another may try it (a worker that died)."""


@dataclass(frozen=True)
class ForwardView:
    """A forward and how far it got."""

    id: int
    handoff_id: int
    conversation_id: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: Optional[str]
    contact_id: Optional[int]
    source_id: Optional[str]
    helpdesk_conversation_id: Optional[int]
    note_sent: bool
    created_at: datetime
    delivered_at: Optional[datetime]


def _view(row: HelpdeskForward) -> ForwardView:
    return ForwardView(
        id=row.id, handoff_id=row.handoff_id, conversation_id=row.conversation_id, status=row.status,
        attempts=row.attempts, next_attempt_at=row.next_attempt_at, last_error=row.last_error,
        contact_id=row.contact_id, source_id=row.source_id,
        helpdesk_conversation_id=row.helpdesk_conversation_id, note_sent=bool(row.note_sent),
        created_at=row.created_at, delivered_at=row.delivered_at,
    )  # fmt: skip


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    return timedelta(seconds=RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1])


def create_forwarded_handoff(
    session: Session, *, now: Optional[datetime] = None, **handoff: Any
) -> HandoffView:
    """:func:`store.handoffs.create_handoff`, plus its forward to the helpdesk (once per handoff)."""
    current = now or clock.now()
    view = create_handoff(session, now=current, **handoff)
    known = session.execute(select(HelpdeskForward.id).where(HelpdeskForward.handoff_id == view.id)).first()
    if known is None:
        session.add(
            HelpdeskForward(
                handoff_id=view.id,
                conversation_id=view.conversation_id,
                status="pending",
                attempts=0,
                next_attempt_at=current,
                created_at=current,
                note_sent=False,
            )
        )
        session.flush()
    return view


def claim_due_forwards(
    session: Session, *, now: Optional[datetime] = None, limit: int = 10
) -> list[ForwardView]:
    """Pending rows whose time has come, each leased to the caller and counted as an attempt.

    On PostgreSQL the rows are locked and others' locked rows skipped; SQLite serialises writers.
    """
    current = now or clock.now()
    stmt = (
        select(HelpdeskForward)
        .where(HelpdeskForward.status == "pending", HelpdeskForward.next_attempt_at <= current)
        .order_by(HelpdeskForward.next_attempt_at, HelpdeskForward.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.execute(stmt).scalars())
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = current + LEASE
    session.flush()
    return [_view(row) for row in rows]


def _row(session: Session, forward_id: int) -> HelpdeskForward:
    row = session.get(HelpdeskForward, forward_id)
    if row is None:
        raise LookupError(f"no helpdesk forward {forward_id}")
    return row


def record_forward_progress(
    session: Session,
    *,
    forward_id: int,
    contact_id: Optional[int] = None,
    source_id: Optional[str] = None,
    helpdesk_conversation_id: Optional[int] = None,
    note_sent: Optional[bool] = None,
) -> None:
    """Keep a step that succeeded, so that a retry does not repeat it."""
    row = _row(session, forward_id)
    if contact_id is not None:
        row.contact_id = contact_id
    if source_id is not None:
        row.source_id = source_id
    if helpdesk_conversation_id is not None:
        row.helpdesk_conversation_id = helpdesk_conversation_id
    if note_sent is not None:
        row.note_sent = note_sent
    session.flush()


def forward_delivered(session: Session, *, forward_id: int, now: Optional[datetime] = None) -> None:
    row = _row(session, forward_id)
    row.status, row.delivered_at, row.last_error = "delivered", now or clock.now(), None
    session.flush()


def forward_failed(
    session: Session, *, forward_id: int, error: str, now: Optional[datetime] = None
) -> ForwardView:
    """Schedule the next attempt after the backoff, or give up after :data:`MAX_ATTEMPTS`."""
    row = _row(session, forward_id)
    row.last_error = error[:2000]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
    else:
        row.next_attempt_at = (now or clock.now()) + retry_delay(row.attempts)
    session.flush()
    return _view(row)


def retry_forward(session: Session, *, forward_id: int, now: Optional[datetime] = None) -> bool:
    """Send a failed forward again from now on (the team fixed the helpdesk); False if not failed."""
    row = _row(session, forward_id)
    if row.status != "failed":
        return False
    row.status, row.attempts, row.next_attempt_at = "pending", 0, now or clock.now()
    session.flush()
    return True


def list_forwards(session: Session, *, status: Optional[str] = None) -> list[ForwardView]:
    """Forwards, newest first, optionally only those in ``status``."""
    stmt = select(HelpdeskForward).order_by(HelpdeskForward.id.desc())
    if status is not None:
        stmt = stmt.where(HelpdeskForward.status == status)
    return [_view(row) for row in session.execute(stmt).scalars()]


def forward_context(session: Session, *, forward_id: int) -> tuple[ForwardView, Optional[HandoffView]]:
    """A forward and its handoff (what the helpdesk is told)."""
    row = _row(session, forward_id)
    return _view(row), get_handoff(session, handoff_id=row.handoff_id)


def handoff_for_helpdesk_conversation(
    session: Session, *, helpdesk_conversation_id: int
) -> Optional[HandoffView]:
    """The handoff forwarded as the helpdesk's conversation ``helpdesk_conversation_id``."""
    stmt = select(HelpdeskForward.handoff_id).where(
        HelpdeskForward.helpdesk_conversation_id == helpdesk_conversation_id
    )
    handoff_id = session.execute(stmt).scalar_one_or_none()
    return get_handoff(session, handoff_id=handoff_id) if handoff_id is not None else None


def take_helpdesk_event(
    session: Session, *, event_key: str, handoff_id: int, now: Optional[datetime] = None
) -> bool:
    """Record a helpdesk event as handled; False when it was handled before (a retry, another process)."""
    try:
        with session.begin_nested():
            session.add(
                HelpdeskReply(
                    event_key=event_key[:120], handoff_id=handoff_id, received_at=now or clock.now()
                )
            )
            session.flush()
    except IntegrityError:
        return False
    return True


def release_helpdesk_event(session: Session, *, event_key: str) -> None:
    """Forget a taken event whose handling failed, so that the helpdesk's retry is handled."""
    row = session.execute(
        select(HelpdeskReply).where(HelpdeskReply.event_key == event_key[:120])
    ).scalar_one_or_none()
    if row is not None:
        session.delete(row)
        session.flush()


__all__ = [
    "LEASE",
    "MAX_ATTEMPTS",
    "RETRY_DELAYS",
    "ForwardView",
    "claim_due_forwards",
    "create_forwarded_handoff",
    "forward_context",
    "forward_delivered",
    "forward_failed",
    "handoff_for_helpdesk_conversation",
    "list_forwards",
    "record_forward_progress",
    "release_helpdesk_event",
    "retry_delay",
    "retry_forward",
    "take_helpdesk_event",
]
