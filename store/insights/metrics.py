"""The numbers: any set of conversations summed into the metrics a store manager reads.

:func:`insights` answers for a :class:`Period` (whole UTC days): the totals, the same for the
previous period of equal length, per day, per channel and per day and channel. :func:`behind`
lists the conversations behind one number (``handed_off`` with ``reason=requested``...). The README
defines every metric in one sentence; the names here are the dashboard's and the report's.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from store.insights.conversations import Conversation, read_conversations, tracker_has_events
from store.insights.outcomes import Outcome, distinct_orders, key_of, outcomes_of
from store.insights.proactive import OutboxTables, ProactiveCounts, ProactiveSource
from store.satisfaction import SATISFIED_FROM

TOP_INTENTS = 10
NO_OUTBOX_NOTE = "Proactive messages: the outbox does not exist yet, so these counts are 0."


@dataclass(frozen=True)
class Period:
    """Whole UTC days from ``first`` to ``last``, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("the period ends before it starts")

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), tzinfo=timezone.utc)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=timezone.utc)

    @property
    def days(self) -> List[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        length = self.last - self.first + timedelta(days=1)
        return Period(self.first - length, self.last - length)

    def as_dict(self) -> Dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


Pair = Tuple[Conversation, Outcome]
FILTERS: Dict[str, Callable[[Conversation, Outcome], bool]] = {
    "conversations": lambda c, o: True,
    "contained": lambda c, o: not handed_off(c, o) and not c.last_unanswered,
    "handed_off": lambda c, o: handed_off(c, o),
    "fallback": lambda c, o: c.fallback_messages > 0,
    "unanswered": lambda c, o: c.last_unanswered,
    "rated": lambda c, o: c.rating is not None,
    "satisfied": lambda c, o: c.rating is not None and c.rating >= SATISFIED_FROM,
    "unsatisfied": lambda c, o: c.rating is not None and c.rating < SATISFIED_FROM,
    "recommended": lambda c, o: bool(o.shown_skus),
    "followed": lambda c, o: bool(o.followed_skus),
    "converted": lambda c, o: bool(o.orders),
}
"""The lists behind the numbers: which conversations each number counts."""


def handed_off(conversation: Conversation, outcome: Outcome) -> bool:
    """A person was asked for: a handoff record, or the conversation was paused for an agent."""
    return bool(outcome.handoffs) or conversation.paused


def _rate(part: int, whole: int) -> Optional[float]:
    return part / whole if whole else None


def _median(values: Sequence[Optional[float]]) -> Optional[float]:
    present = [v for v in values if v is not None]
    return float(statistics.median(present)) if present else None


def summarise(pairs: Sequence[Pair], proactive: ProactiveCounts) -> Dict[str, Any]:
    """Every metric of these conversations (and these proactive counts)."""
    count = len(pairs)
    count_of = {name: sum(1 for c, o in pairs if test(c, o)) for name, test in FILTERS.items()}
    reasons = Counter(o.handoff_reason or "unknown" for c, o in pairs if handed_off(c, o))
    messages = sum(len(c.intents) for c, _ in pairs)
    fallbacks = sum(c.fallback_messages for c, _ in pairs)
    handoffs = [h for _, o in pairs for h in o.handoffs]
    ratings = [c.rating for c, _ in pairs if c.rating is not None]
    intents = Counter(intent for c, _ in pairs for intent in c.intents)
    shown = sum(len(o.shown_skus) for _, o in pairs)
    followed = sum(len(o.followed_skus) for _, o in pairs)
    orders = distinct_orders(o for _, o in pairs)
    return {
        "conversations": count,
        "contained": count_of["contained"],
        "containment_rate": _rate(count_of["contained"], count),
        "handoffs": count_of["handed_off"],
        "handoff_rate": _rate(count_of["handed_off"], count),
        "handoffs_by_reason": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        "handoff_rate_by_reason": {r: n / count for r, n in sorted(reasons.items())} if count else {},
        "shopper_messages": messages,
        "fallback_messages": fallbacks,
        "fallback_rate": _rate(fallbacks, messages),
        "unanswered": count_of["unanswered"],
        "first_agent_reply_median_seconds": _median([h.first_reply_seconds for h in handoffs]),
        "resolution_median_seconds": _median([h.resolution_seconds for h in handoffs]),
        "ratings": len(ratings),
        "satisfied": count_of["satisfied"],
        "csat": _rate(count_of["satisfied"], len(ratings)),
        "average_rating": sum(ratings) / len(ratings) if ratings else None,
        "top_intents": [
            {"intent": i, "count": n}
            for i, n in sorted(intents.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_INTENTS]
        ],
        "recommendations_shown": shown,
        "recommendations_followed": followed,
        "recommendation_follow_rate": _rate(followed, shown),
        "assisted_conversions": count_of["converted"],
        "conversion_rate": _rate(count_of["converted"], count),
        "assisted_orders": len(orders),
        "assisted_revenue": round(float(sum((o.total for o in orders.values()), start=0)), 2),
        "proactive_sent": proactive.sent,
        "proactive_replied": proactive.replied,
        "proactive_reply_rate": _rate(proactive.replied, proactive.sent),
        "proactive_opted_out": proactive.opted_out,
        "cart_reminders": proactive.cart_reminders,
        "carts_recovered": proactive.carts_recovered,
        "cart_recovery_rate": proactive.cart_recovery_rate,
    }


@dataclass
class Gathered:
    """Conversations of a period with the store's outcomes, and the proactive counts by channel."""

    pairs: List[Pair]
    proactive: Dict[Optional[str], ProactiveCounts]
    proactive_by_day: Dict[str, Dict[Optional[str], ProactiveCounts]]


def gather(
    session: Session, events: Connection, period: Period, *, window: timedelta,
    source: Optional[ProactiveSource] = None,
) -> Gathered:  # fmt: skip
    """Read the period's conversations from the tracker store and join the store's records."""
    source = source or OutboxTables()
    conversations = (
        read_conversations(events, start=period.start, end=period.end) if tracker_has_events(events) else []
    )
    outcomes = outcomes_of(session, conversations, window=window)
    pairs = [(c, outcomes[key_of(c)]) for c in conversations]
    replies: Dict[str, list] = {}
    for conversation in conversations:
        replies.setdefault(conversation.conversation_id, []).extend(conversation.said_at)
    by_day = {
        day.isoformat(): source.counts(session, start=Period(day, day).start, end=Period(day, day).end,
                                       window=window, replies=replies)
        for day in period.days
    }  # fmt: skip
    whole = source.counts(session, start=period.start, end=period.end, window=window, replies=replies)
    return Gathered(pairs, whole, by_day)


def insights(
    session: Session, events: Connection, period: Period, *, window: timedelta,
    source: Optional[ProactiveSource] = None,
) -> Dict[str, Any]:  # fmt: skip
    """Totals with the previous period's, and the same per day, per channel, per day and channel."""
    now = gather(session, events, period, window=window, source=source)
    before = gather(session, events, period.previous(), window=window, source=source)
    channels = sorted({c.channel for c, _ in now.pairs} | {k for k in now.proactive if k})
    nothing = ProactiveCounts()
    by_day, rows = [], []
    for day, counts in now.proactive_by_day.items():
        today = [p for p in now.pairs if p[0].day == day]
        by_day.append({"day": day, **summarise(today, counts.get(None, nothing))})
        for channel in channels:
            mine = [p for p in today if p[0].channel == channel]
            rows.append({"day": day, "channel": channel, **summarise(mine, counts.get(channel, nothing))})
    return {
        "period": period.as_dict(),
        "previous_period": period.previous().as_dict(),
        "conversion_window_days": window.days,
        "totals": summarise(now.pairs, now.proactive.get(None, nothing)),
        "previous": summarise(before.pairs, before.proactive.get(None, nothing)),
        "by_day": by_day,
        "by_channel": {
            ch: summarise([p for p in now.pairs if p[0].channel == ch], now.proactive.get(ch, nothing))
            for ch in channels
        },
        "rows": rows,
        "notes": [] if now.proactive.get(None, nothing).available else [NO_OUTBOX_NOTE],
    }


def behind(
    session: Session, events: Connection, period: Period, *, window: timedelta, metric: str,
    reason: Optional[str] = None, channel: Optional[str] = None, day: Optional[str] = None,
) -> List[Dict[str, Any]]:  # fmt: skip
    """The conversations one number counts, oldest first.

    Raises:
        KeyError: ``metric`` is not one of :data:`FILTERS`.
    """
    test = FILTERS[metric]
    found = []
    for conversation, outcome in gather(session, events, period, window=window).pairs:
        if not test(conversation, outcome):
            continue
        if reason is not None and (
            not handed_off(conversation, outcome) or (outcome.handoff_reason or "unknown") != reason
        ):
            continue
        if (channel is not None and conversation.channel != channel) or (
            day is not None and conversation.day != day
        ):
            continue
        found.append(describe(conversation, outcome))
    return found


def describe(conversation: Conversation, outcome: Outcome) -> Dict[str, Any]:
    """One conversation as the lists show it."""
    return {
        "conversation_id": conversation.conversation_id,
        "started_at": conversation.started_at.isoformat(),
        "channel": conversation.channel,
        "messages": len(conversation.intents),
        "last_intent": conversation.intents[-1] if conversation.intents else None,
        "handoff_reason": outcome.handoff_reason if handed_off(conversation, outcome) else None,
        "handoff_ids": [h.id for h in outcome.handoffs],
        "rating": conversation.rating,
        "comment": conversation.comment,
        "orders": [o.number for o in outcome.orders],
    }
