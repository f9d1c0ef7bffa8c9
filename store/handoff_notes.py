"""Private notes on a handoff: written by agents, read by agents, never sent to the shopper.

Kept in their own table, apart from the handoff's message log (which mirrors what the shopper
saw), so that nothing that forwards or replays a conversation can pick a note up by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Dict, List, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from store.models import Handoff, HandoffNote

MAX_NOTE = 2000


@dataclass(frozen=True)
class NoteView:
    """One private note."""

    id: int
    agent: str
    text: str
    at: datetime


def add_note(
    session: Session, *, handoff_id: int, agent: str, text: str, now: Optional[datetime] = None
) -> NoteView:
    """Add a note to a handoff.

    Raises:
        LookupError: there is no handoff ``handoff_id``.
        ValueError: empty text, or longer than :data:`MAX_NOTE`.
    """
    text = (text or "").strip()
    if not text or len(text) > MAX_NOTE:
        raise ValueError(f"a note is 1 to {MAX_NOTE} characters")
    if session.get(Handoff, handoff_id) is None:
        raise LookupError(f"no handoff {handoff_id}")
    note = HandoffNote(handoff_id=handoff_id, agent=agent, text=text, at=now or clock.now())
    session.add(note)
    session.flush()
    return NoteView(note.id, note.agent, note.text, note.at)


def notes_for(session: Session, *, handoff_id: int) -> List[NoteView]:
    """A handoff's notes, oldest first."""
    rows = session.execute(
        select(HandoffNote).where(HandoffNote.handoff_id == handoff_id).order_by(HandoffNote.id)
    ).scalars()
    return [NoteView(n.id, n.agent, n.text, n.at) for n in rows]


def latest_note_ids(session: Session, *, handoff_ids: List[int]) -> Dict[int, int]:
    """The id of each handoff's newest note (handoffs without notes are left out)."""
    if not handoff_ids:
        return {}
    rows = session.execute(
        select(HandoffNote.handoff_id, func.max(HandoffNote.id))
        .where(HandoffNote.handoff_id.in_(handoff_ids))
        .group_by(HandoffNote.handoff_id)
    )
    return {int(handoff_id): int(note_id) for handoff_id, note_id in rows}
