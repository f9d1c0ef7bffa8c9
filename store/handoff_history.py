"""Past and present handoffs for the console's history: newest first, searchable.

The search matches, case-insensitively, the conversation id, the reason, the summary, the agents,
the stored context (the shopper's name, email, phone and orders) and every message of the
handoff. Private notes are searched too: only agents read this.
"""

from __future__ import annotations

from typing import List, Optional

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session, selectinload

from store.codes import HandoffStatus
from store.handoffs import HandoffView, handoff_view
from store.models import Handoff, HandoffMessage, HandoffNote

MAX_QUERY = 100
MAX_RESULTS = 200


def _escaped(query: str) -> str:
    return "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").lower() + "%"


def search_handoffs(
    session: Session,
    *,
    query: str = "",
    status: Optional[HandoffStatus] = None,
    limit: int = 50,
) -> List[HandoffView]:
    """Handoffs matching every word of ``query`` (all of them for an empty query), newest first."""
    stmt = (
        select(Handoff)
        .options(selectinload(Handoff.messages))
        .order_by(Handoff.created_at.desc(), Handoff.id.desc())
        .limit(max(1, min(limit, MAX_RESULTS)))
    )
    if status is not None:
        stmt = stmt.where(Handoff.status == status)
    for word in query.split()[:10]:
        like = _escaped(word)
        in_messages = select(HandoffMessage.id).where(
            HandoffMessage.handoff_id == Handoff.id, func.lower(HandoffMessage.text).like(like, escape="\\")
        )
        in_notes = select(HandoffNote.id).where(
            HandoffNote.handoff_id == Handoff.id, func.lower(HandoffNote.text).like(like, escape="\\")
        )
        stmt = stmt.where(
            or_(
                *(
                    func.lower(column).like(like, escape="\\")
                    for column in (
                        Handoff.conversation_id, Handoff.reason, Handoff.summary, Handoff.claimed_by,
                        Handoff.resolved_by, cast(Handoff.context, String),
                    )
                ),
                in_messages.exists(),
                in_notes.exists(),
            )
        )  # fmt: skip
    return [handoff_view(h) for h in session.execute(stmt).scalars()]
