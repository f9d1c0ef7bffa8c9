"""What the store recorded about a set of conversations: handoffs, recommendations and orders.

The tracker store says what was said; the store says what followed. Everything here is keyed by
the conversation id (Rasa's sender id). Handoffs and recommendations are read in a few queries per
call; orders take one query (with their lines) per conversation whose shopper is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Dict, Iterable, List, Optional, Sequence, Set

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from store.contact import normalize_email, phone_key
from store.insights.conversations import Conversation
from store.models import CartLinkClick, Handoff, HandoffMessage, Order, RecommendationShown


@dataclass(frozen=True)
class HandoffFacts:
    """One handoff of a conversation: why, and how fast a person answered and closed it."""

    id: int
    reason: str
    first_reply_seconds: Optional[float]
    resolution_seconds: Optional[float]


@dataclass(frozen=True)
class AssistedOrder:
    """An order the conversation's shopper placed within the window after it."""

    number: int
    total: Decimal
    placed_at: datetime
    skus: frozenset[str]


@dataclass
class Outcome:
    """The store's side of one conversation."""

    handoffs: List[HandoffFacts] = field(default_factory=list)
    shown_skus: List[str] = field(default_factory=list)
    orders: List[AssistedOrder] = field(default_factory=list)
    clicked_skus: Set[str] = field(default_factory=set)
    """SKUs whose add-to-cart link the shopper followed (``cart_link_clicks``) within the window."""

    @property
    def handoff_reason(self) -> Optional[str]:
        """The reason of the conversation's first handoff, if a person was asked for."""
        return self.handoffs[0].reason if self.handoffs else None

    @property
    def followed_skus(self) -> Set[str]:
        """Shown products (by SKU) that the shopper then put in the cart through the add-to-cart
        link, or ordered."""
        bought = set().union(*(o.skus for o in self.orders)) if self.orders else set()
        return {sku for sku in self.shown_skus if sku in bought or sku in self.clicked_skus}


def _seconds(later: Optional[datetime], earlier: datetime) -> Optional[float]:
    return (later - earlier).total_seconds() if later is not None else None


def _within(moment: datetime, conversation: Conversation, grace: timedelta) -> bool:
    return conversation.started_at <= moment <= conversation.ended_at + grace


def _handoffs(
    session: Session, conversations: Sequence[Conversation], ids: List[str]
) -> Dict[str, List[HandoffFacts]]:
    found: Dict[str, List[HandoffFacts]] = {}
    handoffs = session.execute(
        select(Handoff).where(Handoff.conversation_id.in_(ids)).order_by(Handoff.created_at, Handoff.id)
    ).scalars()
    by_id: Dict[str, List[Conversation]] = {c.conversation_id: [] for c in conversations}
    for conversation in conversations:
        by_id[conversation.conversation_id].append(conversation)
    rows = list(handoffs)
    first_replies: Dict[int, datetime] = {}
    if rows:
        replies = session.execute(
            select(HandoffMessage.handoff_id, HandoffMessage.at)
            .where(HandoffMessage.handoff_id.in_([h.id for h in rows]), HandoffMessage.sender.like("agent:%"))
            .order_by(HandoffMessage.at)
        )
        for handoff_id, at in replies:
            first_replies.setdefault(handoff_id, at)
    for handoff in rows:
        owner = next(
            (
                c
                for c in by_id[handoff.conversation_id]
                if _within(handoff.created_at, c, timedelta(minutes=1))
            ),
            None,
        )
        if owner is None:
            continue
        found.setdefault(key_of(owner), []).append(
            HandoffFacts(
                id=handoff.id,
                reason=handoff.reason,
                first_reply_seconds=_seconds(first_replies.get(handoff.id), handoff.created_at),
                resolution_seconds=_seconds(handoff.resolved_at, handoff.created_at),
            )
        )
    return found


def key_of(conversation: Conversation) -> str:
    """A conversation session's key (a sender may have several sessions)."""
    return conversation.conversation_id + conversation.started_at.isoformat()


def _customer_filters(session: Session, conversation: Conversation) -> list:
    """SQL conditions that pick the conversation's shopper's orders (empty: unknown shopper)."""
    conditions: list = []
    if conversation.order_numbers:
        for customer_id, email in session.execute(
            select(Order.customer_id, Order.email).where(Order.number.in_(conversation.order_numbers))
        ):
            if customer_id is not None:
                conditions.append(Order.customer_id == customer_id)
            elif email:
                conditions.append(Order.email == email)
    for email in conversation.emails:
        normalised = normalize_email(email)
        if normalised:
            conditions.append(Order.email == normalised)
    for phone in conversation.phones:
        key = phone_key(phone)
        if key:
            conditions.append(Order.phone_key == key)
    return conditions


def _orders_after(session: Session, conversation: Conversation, window: timedelta) -> List[AssistedOrder]:
    conditions = _customer_filters(session, conversation)
    if not conditions:
        return []
    orders = session.execute(
        select(Order)
        .options(selectinload(Order.line_items))
        .where(
            or_(*conditions),
            Order.cancelled_at.is_(None),
            Order.placed_at > conversation.started_at,
            Order.placed_at <= conversation.started_at + window,
        )
        .order_by(Order.placed_at, Order.number)
    ).scalars()
    return [
        AssistedOrder(
            order.number, Decimal(order.total), order.placed_at,
            frozenset(line.sku for line in order.line_items if line.sku),
        )
        for order in orders
    ]  # fmt: skip


def outcomes_of(
    session: Session, conversations: Sequence[Conversation], *, window: timedelta
) -> Dict[str, Outcome]:
    """The store's side of each conversation, by :func:`key_of`."""
    ids = sorted({c.conversation_id for c in conversations})
    outcomes = {key_of(c): Outcome() for c in conversations}
    if not ids:
        return outcomes
    for key, handoffs in _handoffs(session, conversations, ids).items():
        outcomes[key].handoffs = handoffs
    shown = session.execute(
        select(RecommendationShown.conversation_id, RecommendationShown.sku, RecommendationShown.shown_at)
        .where(RecommendationShown.conversation_id.in_(ids))
        .order_by(RecommendationShown.conversation_id, RecommendationShown.position)
    ).all()
    clicks = session.execute(
        select(CartLinkClick.conversation_id, CartLinkClick.sku, CartLinkClick.clicked_at).where(
            CartLinkClick.conversation_id.in_(ids)
        )
    ).all()
    for conversation in conversations:
        outcome = outcomes[key_of(conversation)]
        outcome.clicked_skus = {
            sku for cid, sku, at in clicks
            if cid == conversation.conversation_id
            and conversation.started_at <= at <= conversation.started_at + window
        }  # fmt: skip
        outcome.shown_skus = [
            sku for cid, sku, at in shown
            if cid == conversation.conversation_id and _within(at, conversation, timedelta(minutes=1))
        ]  # fmt: skip
        outcome.orders = _orders_after(session, conversation, window)
    return outcomes


def distinct_orders(outcomes: Iterable[Outcome]) -> Dict[int, AssistedOrder]:
    """Each assisted order once, by number (two conversations before one order count it once)."""
    return {order.number: order for outcome in outcomes for order in outcome.orders}
