"""Proactive messages, counted through a small interface over the outbox.

The outbox (``outbox_messages``: one row per proactive message, ``sent_at`` once sent, its
``trigger``, ``channel``, ``customer_id`` and ``conversation_id``) and the consent ledger
(``consent_records``: ``withdrawn_at``, ``withdrawal_source``) belong to the proactive messages.
In a database without those tables every count is 0 and :attr:`ProactiveCounts.available` is False, which
the dashboard and the report say in words. The tables are reflected, not imported, so this module
never depends on the proactive models' code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Optional, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

OUTBOX_TABLE = "outbox_messages"
CONSENT_TABLE = "consent_records"
CARTS_TABLE = "shopper_carts"
EVENTS_REPLY_WINDOW = timedelta(hours=24)
CART_TRIGGER_WORD = "cart"
"""Outbox triggers naming a cart (``abandoned_cart``, ``cart_reminder``...) are cart reminders."""


@dataclass(frozen=True)
class ProactiveCounts:
    """Proactive messages of a period.

    Attributes:
        sent: messages sent.
        replied: sent messages whose conversation got a shopper message within 24 hours.
        opted_out: consents withdrawn in the period.
        cart_reminders: sent messages about an abandoned cart.
        carts_recovered: cart reminders whose cart was checked out within the window after them (the
            stored cart's ``checked_out_at``; an order by the same customer in the window counts too,
            for reminders without a stored cart or an order the worker has not matched to it yet).
        available: whether the outbox exists at all.
    """

    sent: int = 0
    replied: int = 0
    opted_out: int = 0
    cart_reminders: int = 0
    carts_recovered: int = 0
    available: bool = False

    @property
    def cart_recovery_rate(self) -> Optional[float]:
        return self.carts_recovered / self.cart_reminders if self.cart_reminders else None


class ProactiveSource(Protocol):
    """Where proactive counts come from, per channel (``None`` key: every channel)."""

    def counts(
        self, session: Session, *, start: datetime, end: datetime, window: timedelta, replies: Dict[str, list]
    ) -> Dict[Optional[str], ProactiveCounts]: ...


class OutboxTables:
    """Counts from the outbox and consent tables, or zeros while they do not exist."""

    def counts(
        self, session: Session, *, start: datetime, end: datetime, window: timedelta, replies: Dict[str, list]
    ) -> Dict[Optional[str], ProactiveCounts]:
        """Counts for ``[start, end)``; ``replies`` maps conversation ids to their shoppers'
        message times (from the tracker store)."""
        connection = session.connection()
        inspector = sa.inspect(connection)
        if not inspector.has_table(OUTBOX_TABLE):
            return {None: ProactiveCounts()}
        metadata = sa.MetaData()
        outbox = sa.Table(OUTBOX_TABLE, metadata, autoload_with=connection)
        orders = sa.Table("orders", metadata, autoload_with=connection)
        carts = (
            sa.Table(CARTS_TABLE, metadata, autoload_with=connection)
            if inspector.has_table(CARTS_TABLE)
            else None
        )
        rows = session.execute(
            sa.select(
                outbox.c.channel,
                outbox.c.trigger,
                outbox.c.customer_id,
                outbox.c.conversation_id,
                outbox.c.sent_at,
                outbox.c.params,
            ).where(outbox.c.sent_at.is_not(None), outbox.c.sent_at >= start, outbox.c.sent_at < end)
        ).all()
        tallies: Dict[Optional[str], Dict[str, int]] = {}
        for channel, trigger, customer_id, conversation_id, sent_at, params in rows:
            sent_at = _aware(sent_at)
            replied = any(
                sent_at < t <= sent_at + EVENTS_REPLY_WINDOW for t in replies.get(conversation_id or "", [])
            )
            cart = CART_TRIGGER_WORD in str(trigger or "")
            recovered = cart and (
                _cart_checked_out(session, carts, params, sent_at, window)
                or (customer_id is not None and session.execute(
                    sa.select(sa.func.count()).select_from(orders).where(
                        orders.c.customer_id == customer_id, orders.c.placed_at > sent_at,
                        orders.c.placed_at <= sent_at + window,
                    )
                ).scalar_one() > 0)
            )  # fmt: skip
            for key in (None, channel):
                tally = tallies.setdefault(
                    key, {"sent": 0, "replied": 0, "cart": 0, "recovered": 0, "opted": 0}
                )
                tally["sent"] += 1
                tally["replied"] += int(replied)
                tally["cart"] += int(cart)
                tally["recovered"] += int(bool(recovered))
        if inspector.has_table(CONSENT_TABLE):
            consents = sa.Table(CONSENT_TABLE, metadata, autoload_with=connection)
            for (channel,) in session.execute(
                sa.select(consents.c.channel).where(
                    consents.c.withdrawn_at >= start, consents.c.withdrawn_at < end
                )
            ):
                for key in (None, channel):
                    tallies.setdefault(key, {"sent": 0, "replied": 0, "cart": 0, "recovered": 0, "opted": 0})
                    tallies[key]["opted"] += 1
        result = {
            key: ProactiveCounts(t["sent"], t["replied"], t["opted"], t["cart"], t["recovered"], True)
            for key, t in tallies.items()
        }
        result.setdefault(None, ProactiveCounts(available=True))
        return result


def _cart_checked_out(
    session: Session, carts: Optional[sa.Table], params: Any, sent_at: datetime, window: timedelta
) -> bool:
    """Whether the stored cart a reminder names (``params.cart_id``) was checked out in the window."""
    if isinstance(params, str):
        params = json.loads(params or "{}")
    cart_id = params.get("cart_id") if isinstance(params, dict) else None
    if carts is None or not isinstance(cart_id, int):
        return False
    checked_out = session.execute(
        sa.select(carts.c.checked_out_at).where(carts.c.id == cart_id)
    ).scalar_one_or_none()
    return checked_out is not None and sent_at < _aware(checked_out) <= sent_at + window


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
