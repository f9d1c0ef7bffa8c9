"""The shopper messages a designer should look at, read from the tracker store's events.

A message is a *miss* when it ended in the fallback (``nlu_fallback``), when its intent's
confidence was below :data:`LOW_CONFIDENCE`, or when it was the shopper's last message (a button
payload or an explicit request for a person aside) before the assistant handed the conversation to
a person; a handoff outranks a low confidence as the reason shown. The tracker store is Rasa's
SQL schema (``events`` table, one JSON event per row), on SQLite or PostgreSQL alike
(``TRACKER_STORE_URL``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import sqlalchemy as sa

from store.tracker_events import EVENTS

FALLBACK_INTENT = "nlu_fallback"
HANDOFF_ACTION = "action_handoff"
EXPLICIT_HANDOFF_INTENT = "human_handoff"
LOW_CONFIDENCE = 0.6
"""Below this (and above the FallbackClassifier's threshold) a message is worth a look."""
HANDOFF_LOOKBACK = 3
"""How many of the shopper's messages before a handoff are searched for the one that led to it."""


@dataclass(frozen=True)
class Miss:
    """One message to review: its event id, text, what the NLU predicted, and why it is here."""

    message_id: int
    conversation_id: str
    text: str
    intent: Optional[str]
    confidence: float
    reason: str  # "fallback", "low_confidence" or "handoff"
    at: float


def predicted_intent(parse_data: Dict[str, Any]) -> Tuple[Optional[str], float]:
    """The intent the NLU would have chosen: for a fallback, the best intent in the ranking after it."""
    intent = parse_data.get("intent") or {}
    if intent.get("name") != FALLBACK_INTENT:
        return intent.get("name"), float(intent.get("confidence") or 0.0)
    for ranked in parse_data.get("intent_ranking") or []:
        if ranked.get("name") != FALLBACK_INTENT:
            return ranked.get("name"), float(ranked.get("confidence") or 0.0)
    return None, 0.0


def _as_miss(row: Any, event: Dict[str, Any], reason: str) -> Miss:
    intent, confidence = predicted_intent(event.get("parse_data") or {})
    return Miss(row.id, row.sender_id, event.get("text") or "", intent, confidence, reason, row.timestamp)


def _reason(event: Dict[str, Any], low_confidence: float) -> Optional[str]:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    if intent.get("name") == FALLBACK_INTENT:
        return "fallback"
    if float(intent.get("confidence") or 0.0) < low_confidence:
        return "low_confidence"
    return None


def _typed(event: Dict[str, Any]) -> bool:
    """A message the shopper typed (a button payload such as ``/human_handoff`` is not)."""
    text = (event.get("text") or "").strip()
    return bool(text) and not text.startswith("/")


def misses_in(rows: Iterable[Any], low_confidence: float = LOW_CONFIDENCE) -> List[Miss]:
    """The misses among tracker store rows ordered by conversation, then id (one miss per message)."""
    found: Dict[int, Miss] = {}
    recent: List[Tuple[Any, Dict[str, Any]]] = []  # the conversation's latest typed messages
    conversation = None
    for row in rows:
        if row.sender_id != conversation:
            conversation, recent = row.sender_id, []
        if row.type_name == "user":
            event = json.loads(row.data)
            if not _typed(event):
                continue
            recent = [*recent[-(HANDOFF_LOOKBACK - 1) :], (row, event)]
            reason = _reason(event, low_confidence)
            if reason:
                found[row.id] = _as_miss(row, event, reason)
        elif row.type_name == "action" and row.action_name == HANDOFF_ACTION and recent:
            asked = [
                (r, e)
                for r, e in recent
                if (e.get("parse_data") or {}).get("intent", {}).get("name") != EXPLICIT_HANDOFF_INTENT
            ]
            # A handoff is the stronger signal: it outranks a low confidence, not a fallback.
            if asked and getattr(found.get(asked[-1][0].id), "reason", None) in (None, "low_confidence"):
                found[asked[-1][0].id] = _as_miss(*asked[-1], "handoff")
            recent = []
    return sorted(found.values(), key=lambda miss: miss.at, reverse=True)


@lru_cache(maxsize=4)
def tracker_engine(url: str) -> sa.engine.Engine:
    """One engine per tracker store URL for the process (reads only)."""
    return sa.create_engine(url, pool_pre_ping=True)


def find_misses(
    engine: sa.engine.Engine, *, since: float, low_confidence: float = LOW_CONFIDENCE, limit: int = 2000
) -> List[Miss]:
    """The newest ``limit`` misses of messages sent at or after ``since`` (a Unix time)."""
    query = (
        sa.select(
            EVENTS.c.id,
            EVENTS.c.sender_id,
            EVENTS.c.type_name,
            EVENTS.c.timestamp,
            EVENTS.c.action_name,
            EVENTS.c.data,
        )
        .where(EVENTS.c.timestamp >= since)
        .where(
            sa.or_(
                EVENTS.c.type_name == "user",
                sa.and_(EVENTS.c.type_name == "action", EVENTS.c.action_name == HANDOFF_ACTION),
            )
        )
        .order_by(EVENTS.c.sender_id, EVENTS.c.id)
    )
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("events"):
            return []
        return misses_in(connection.execute(query), low_confidence)[:limit]


def miss_by_id(engine: sa.engine.Engine, message_id: int) -> Optional[Miss]:
    """The message with this event id as a :class:`Miss` (reason ``"labelled"``), if it is a user message."""
    query = sa.select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.timestamp, EVENTS.c.data).where(
        EVENTS.c.id == message_id, EVENTS.c.type_name == "user"
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        return None
    return _as_miss(row, json.loads(row.data), "labelled")


def texts_of(misses: Sequence[Miss]) -> List[str]:
    """The messages' texts, in order."""
    return [miss.text for miss in misses]
