"""When a shopper may be asked to rate a conversation, and what a rating is.

The rating itself lives in the conversation (the ``csat_score`` slot set from the rating buttons'
payload, ``csat_comment`` after it): the insights read it from the tracker store like every other
metric. This module holds the rules both askers share: the assistant at a goodbye
(``actions/satisfaction.py``) and the agent console after closing a chat
(``storefront/handoff/satisfaction.py``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Optional

from sqlalchemy.orm import Session

from store.handoffs import open_handoff_for

ASK_AT_MOST_EVERY = timedelta(days=1)
"""A shopper is never asked twice within this time."""
SCORES = ("1", "2", "3", "4", "5")
SATISFIED_FROM = 4
"""A rating of 4 or 5 counts as satisfied (CSAT is the share of such ratings)."""
MAX_COMMENT_CHARS = 1000


def parse_asked_at(value: Any) -> Optional[datetime]:
    """The ``csat_asked_at`` slot (ISO 8601, aware) as a datetime; None when unset or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def may_ask(*, asked_at: Any, now: datetime, handoff_open: bool) -> bool:
    """Whether to offer the rating now: not while a person has the chat, not twice within a day."""
    if handoff_open:
        return False
    last = parse_asked_at(asked_at)
    return last is None or now - last >= ASK_AT_MOST_EVERY


def handoff_open(session: Session, *, conversation_id: str) -> bool:
    """Whether a person has (or is about to take) the conversation."""
    return open_handoff_for(session, conversation_id=conversation_id) is not None


def valid_score(value: Any) -> Optional[int]:
    """A rating of 1 to 5 from the slot or entity value, else None."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text in SCORES else None


def clean_comment(value: Any) -> str:
    """The comment as stored: trimmed, at most :data:`MAX_COMMENT_CHARS`; "-" (no thanks) is empty."""
    text = " ".join(str(value or "").split())
    return "" if text == "-" else text[:MAX_COMMENT_CHARS]
