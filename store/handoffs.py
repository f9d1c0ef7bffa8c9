"""The live-agent handoff queue: create, list, claim (atomically), message and resolve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from core import clock
from store.codes import HandoffReason, HandoffStatus
from store.models import Handoff, HandoffMessage


@dataclass(frozen=True)
class HandoffMessageView:
    """A message written during a handoff."""

    sender: str
    text: str
    at: datetime


@dataclass(frozen=True)
class HandoffView:
    """A handoff and its messages, oldest first."""

    id: int
    conversation_id: str
    channel: str
    status: HandoffStatus
    offline: bool
    reason: str  # a HandoffReason value, or a code an older version wrote
    summary: str
    context: dict
    claimed_by: Optional[str]
    created_at: datetime
    claimed_at: Optional[datetime]
    resolved_at: Optional[datetime]
    resolved_by: Optional[str]
    messages: tuple[HandoffMessageView, ...]


def handoff_view(handoff: Handoff) -> HandoffView:
    """The read-only view of a loaded handoff row (its messages loaded too)."""
    return HandoffView(
        id=handoff.id,
        conversation_id=handoff.conversation_id,
        channel=handoff.channel,
        status=HandoffStatus(handoff.status),
        offline=handoff.offline,
        reason=handoff.reason,
        summary=handoff.summary,
        context=dict(handoff.context or {}),
        claimed_by=handoff.claimed_by,
        created_at=handoff.created_at,
        claimed_at=handoff.claimed_at,
        resolved_at=handoff.resolved_at,
        resolved_by=handoff.resolved_by,
        messages=tuple(HandoffMessageView(m.sender, m.text, m.at) for m in handoff.messages),
    )


def _load(session: Session, handoff_id: int) -> Optional[Handoff]:
    stmt = (
        select(Handoff)
        .where(Handoff.id == handoff_id)
        .options(selectinload(Handoff.messages))
        .execution_options(populate_existing=True)
    )
    return session.execute(stmt).scalar_one_or_none()


def open_handoff_for(session: Session, *, conversation_id: str) -> Optional[HandoffView]:
    """The newest queued or claimed handoff of a conversation, if any."""
    stmt = (
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.status != HandoffStatus.RESOLVED)
        .options(selectinload(Handoff.messages))
        .order_by(Handoff.id.desc())
        .limit(1)
    )
    handoff = session.execute(stmt).scalar_one_or_none()
    return handoff_view(handoff) if handoff is not None else None


def create_handoff(
    session: Session,
    *,
    conversation_id: str,
    channel: str,
    reason: HandoffReason,
    summary: str,
    context: dict,
    offline: bool = False,
    now: Optional[datetime] = None,
) -> HandoffView:
    """Queue a conversation for a person. A conversation already waiting keeps its handoff.

    Returns:
        The new handoff, or the conversation's open one unchanged.
    """
    existing = open_handoff_for(session, conversation_id=conversation_id)
    if existing is not None:
        return existing
    handoff = Handoff(
        conversation_id=conversation_id,
        channel=channel,
        status=HandoffStatus.QUEUED,
        offline=offline,
        reason=reason,
        summary=summary,
        context=context,
        created_at=now or clock.now(),
    )
    session.add(handoff)
    session.flush()
    loaded = _load(session, handoff.id)
    assert loaded is not None
    return handoff_view(loaded)


def list_handoffs(session: Session, *, status: Optional[HandoffStatus] = None) -> list[HandoffView]:
    """Handoffs, oldest first (the queue order), optionally only those in ``status``."""
    stmt = select(Handoff).options(selectinload(Handoff.messages)).order_by(Handoff.created_at, Handoff.id)
    if status is not None:
        stmt = stmt.where(Handoff.status == status)
    return [handoff_view(h) for h in session.execute(stmt).scalars()]


def get_handoff(session: Session, *, handoff_id: int) -> Optional[HandoffView]:
    """One handoff with its messages."""
    handoff = _load(session, handoff_id)
    return handoff_view(handoff) if handoff is not None else None


def claim_handoff(session: Session, *, handoff_id: int, agent: str, now: Optional[datetime] = None) -> bool:
    """Give a queued handoff to ``agent``. Of two concurrent claims exactly one returns True.

    The check and the change are one conditional UPDATE, so the database decides the winner.
    """
    now = now or clock.now()
    result = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status == HandoffStatus.QUEUED)
        .values(status=HandoffStatus.CLAIMED, claimed_by=agent, claimed_at=now, agent_active_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def resolve_handoff(session: Session, *, handoff_id: int, agent: str, now: Optional[datetime] = None) -> bool:
    """Close a handoff that is not already resolved; False when it was."""
    result = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status != HandoffStatus.RESOLVED)
        .values(status=HandoffStatus.RESOLVED, resolved_by=agent, resolved_at=now or clock.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def add_handoff_message(
    session: Session, *, handoff_id: int, sender: str, text: str, at: Optional[datetime] = None
) -> None:
    """Append a message to a handoff's transcript.

    Raises:
        LookupError: there is no handoff ``handoff_id``.
    """
    if session.get(Handoff, handoff_id) is None:
        raise LookupError(f"no handoff {handoff_id}")
    session.add(HandoffMessage(handoff_id=handoff_id, sender=sender, text=text, at=at or clock.now()))
    session.flush()
