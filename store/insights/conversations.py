"""Conversations as the tracker store recorded them, one :class:`Conversation` per session.

Rasa's SQL tracker store keeps one row per event (``events``: ``sender_id``, ``type_name``,
``timestamp``, ``intent_name``, ``action_name`` and the event as JSON in ``data``). A conversation
is one session of one sender: it starts at the first event or at a ``session_started`` event, and
counts when the shopper wrote at least once in it; it is dated by the shopper's first message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from store.satisfaction import valid_score
from store.tracker_events import EVENTS

UNANSWERED_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
"""A shopper message with one of these intents is one the assistant could not answer."""
FEEDBACK_FORM = "satisfaction_comment_form"
RATING_ENTITY = "csat_score"


@dataclass
class Conversation:
    """What one conversation session held, as the metrics need it.

    Attributes:
        conversation_id: Rasa's sender id (the handoff and recommendation records use it too).
        started_at / ended_at: the shopper's first message and the session's last event.
        channel: the input channel of the shopper's first message.
        intents: the intent of each shopper message, oldest first (the rating and its comment are
            feedback, not questions, and are left out).
        paused: an agent took over at some point (``pause`` event).
        rating: the latest valid rating (1-5) given in the session, and its comment.
        order_numbers / emails / phones: who the shopper is, from verified orders and the
            channel's proof of identity (trusted ``shopper`` metadata).
    """

    conversation_id: str
    started_at: datetime
    ended_at: datetime
    channel: str
    intents: List[str] = field(default_factory=list)
    paused: bool = False
    rating: Optional[int] = None
    comment: Optional[str] = None
    order_numbers: List[int] = field(default_factory=list)
    emails: List[str] = field(default_factory=list)
    phones: List[str] = field(default_factory=list)
    said_at: List[datetime] = field(default_factory=list)
    """When the shopper wrote each message (feedback included): replies to proactive messages."""

    @property
    def day(self) -> str:
        """The UTC day of the first message (``YYYY-MM-DD``)."""
        return self.started_at.date().isoformat()

    @property
    def fallback_messages(self) -> int:
        """Shopper messages the assistant could not answer."""
        return sum(1 for intent in self.intents if intent in UNANSWERED_INTENTS)

    @property
    def last_unanswered(self) -> bool:
        """Whether the shopper's last question went unanswered."""
        return bool(self.intents) and self.intents[-1] in UNANSWERED_INTENTS


def _moment(timestamp: Optional[float]) -> datetime:
    return datetime.fromtimestamp(float(timestamp or 0.0), tz=timezone.utc)


def _data(raw: Optional[str]) -> Dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class _Builder:
    """Folds one sender's events, oldest first, into conversations."""

    def __init__(self, sender: str) -> None:
        self.sender = sender
        self.current: Optional[Conversation] = None
        self.in_feedback = False
        self.done: List[Conversation] = []

    def close(self) -> None:
        if self.current is not None:
            self.done.append(self.current)
        self.current, self.in_feedback = None, False

    def add(
        self, type_name: str, timestamp: Optional[float], intent: Optional[str], data: Dict[str, Any]
    ) -> None:
        at = _moment(timestamp)
        if type_name == "session_started":
            self.close()
            return
        if type_name == "user":
            self._user(at, intent, data)
        current = self.current
        if current is None:
            return  # events before the shopper's first message (the session start, a greeting)
        if type_name == "pause":
            current.paused = True
        elif type_name == "active_loop":
            self.in_feedback = data.get("name") == FEEDBACK_FORM
        elif type_name == "slot":
            self._slot(data.get("name"), data.get("value"))
        current.ended_at = max(current.ended_at, at)

    def _user(self, at: datetime, intent: Optional[str], data: Dict[str, Any]) -> None:
        if self.current is None:
            self.current = Conversation(self.sender, at, at, str(data.get("input_channel") or "unknown"))
        self.current.said_at.append(at)
        entities = (data.get("parse_data") or {}).get("entities") or []
        is_rating = any(isinstance(e, dict) and e.get("entity") == RATING_ENTITY for e in entities)
        if not (is_rating or self.in_feedback):
            self.current.intents.append(intent or "unknown")
        shopper = (data.get("metadata") or {}).get("shopper")
        if isinstance(shopper, dict):
            for key, found in (
                ("verified_email", self.current.emails),
                ("verified_phone", self.current.phones),
            ):
                value = shopper.get(key)
                if isinstance(value, str) and value and value not in found:
                    found.append(value)

    def _slot(self, name: Any, value: Any) -> None:
        assert self.current is not None
        if name == "csat_score":
            self.current.rating = valid_score(value)
        elif name == "csat_comment" and self.current.rating is not None:
            self.current.comment = str(value) if value else None
        elif name == "verified_order" and value is not None:
            try:
                number = int(str(value).lstrip("#"))
            except ValueError:
                return
            if number not in self.current.order_numbers:
                self.current.order_numbers.append(number)


def fold_events(
    rows: Iterable[Tuple[str, str, Optional[float], Optional[str], Optional[str]]],
) -> List[Conversation]:
    """Conversations from ``(sender_id, type_name, timestamp, intent_name, data)`` rows, each
    sender's rows oldest first; sessions without a shopper message are left out."""
    builders: Dict[str, _Builder] = {}
    for sender, type_name, timestamp, intent, raw in rows:
        builder = builders.setdefault(sender, _Builder(sender))
        builder.add(type_name, timestamp, intent, _data(raw))
    found: List[Conversation] = []
    for builder in builders.values():
        builder.close()
        found.extend(builder.done)
    return found


def _chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def read_conversations(connection: Connection, *, start: datetime, end: datetime) -> List[Conversation]:
    """Every conversation whose first shopper message falls in ``[start, end)``, oldest first.

    Senders are chosen by a user event in the period; all their events are read (in id order) so
    that a session that began before the period is recognised as such and left out.
    """
    senders = [
        row[0]
        for row in connection.execute(
            sa.select(EVENTS.c.sender_id)
            .where(
                EVENTS.c.type_name == "user",
                EVENTS.c.timestamp >= start.timestamp(),
                EVENTS.c.timestamp < end.timestamp(),
            )
            .distinct()
        )
    ]
    conversations = [c for c in _conversations_of(connection, senders) if start <= c.started_at < end]
    return sorted(conversations, key=lambda c: (c.started_at, c.conversation_id))


def _conversations_of(connection: Connection, senders: Iterable[str]) -> List[Conversation]:
    """Every conversation session of these senders (all their events, in id order)."""
    rows: List[Tuple[str, str, Optional[float], Optional[str], Optional[str]]] = []
    for chunk in _chunks(sorted(set(senders))):
        query = (
            sa.select(
                EVENTS.c.sender_id,
                EVENTS.c.type_name,
                EVENTS.c.timestamp,
                EVENTS.c.intent_name,
                EVENTS.c.data,
            )
            .where(EVENTS.c.sender_id.in_(chunk))
            .order_by(EVENTS.c.sender_id, EVENTS.c.id)
        )
        rows.extend(tuple(row) for row in connection.execute(query))  # type: ignore[misc]
    return fold_events(rows)


def rated_conversations(connection: Connection, senders: Iterable[str]) -> Dict[str, List[Conversation]]:
    """Each sender's rated sessions, oldest first (the score and the comment are on each)."""
    if not tracker_has_events(connection):
        return {}
    rated: Dict[str, List[Conversation]] = {}
    for conversation in sorted(_conversations_of(connection, senders), key=lambda c: c.started_at):
        if conversation.rating is not None:
            rated.setdefault(conversation.conversation_id, []).append(conversation)
    return rated


def tracker_has_events(connection: Connection) -> bool:
    """Whether the tracker database has Rasa's ``events`` table yet (a fresh install has none)."""
    return sa.inspect(connection).has_table("events")
