"""The insights' readers on SQLite and PostgreSQL: conversations from tracker events, and the
proactive counts with and without an outbox. (The metrics end to end: tests/insights.)"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from store.db import session_scope
from store.insights.conversations import Conversation, fold_events, read_conversations
from store.insights.metrics import summarise
from store.insights.outcomes import outcomes_of
from store.insights.proactive import OutboxTables, ProactiveCounts
from store.models import Base, CartLinkClick, Customer, Order, RecommendationShown, ShopperCart
from store.models.proactive import ConsentRecord, OutboxMessage

DAY = datetime(2026, 11, 30, tzinfo=timezone.utc)


def user(sender: str, at: float, intent: str, **extra: Any) -> tuple:
    entities = extra.pop("entities", [])
    data = {
        "event": "user",
        "input_channel": extra.pop("channel", "rest"),
        "parse_data": {"intent": {"name": intent}, "entities": entities},
        **extra,
    }
    return (sender, "user", at, intent, json.dumps(data))


def event(sender: str, at: float, kind: str, **data: Any) -> tuple:
    return (sender, kind, at, None, json.dumps({"event": kind, **data}))


T0 = DAY.timestamp() + 3600
ROWS: List[tuple] = [
    user("a", T0, "greet", channel="whatsapp", metadata={"shopper": {"verified_phone": "+14155550101"}}),
    event("a", T0 + 1, "slot", name="verified_order", value="1001"),
    user("a", T0 + 2, "goodbye", channel="whatsapp"),
    event("a", T0 + 3, "slot", name="csat_asked_at", value="x"),
    user("a", T0 + 4, "inform", channel="whatsapp", entities=[{"entity": "csat_score", "value": "4"}]),
    event("a", T0 + 5, "slot", name="csat_score", value="4"),
    event("a", T0 + 6, "active_loop", name="satisfaction_comment_form"),
    user("a", T0 + 7, "nlu_fallback", channel="whatsapp"),  # the comment: not a question
    event("a", T0 + 8, "slot", name="csat_comment", value="lovely"),
    event("a", T0 + 9, "active_loop", name=None),
    event("a", T0 + 10, "session_started"),
    user("a", T0 + 86400, "order_status", channel="whatsapp"),  # a new session the next day
    event("b", T0 + 20, "session_started"),  # a session where the shopper never wrote
    user("c", T0 + 30, "out_of_scope"),
    event("c", T0 + 31, "pause"),
]


def test_sessions_become_conversations_with_their_facts() -> None:
    found = fold_events(ROWS)
    first, second, third = sorted(found, key=lambda c: (c.conversation_id, c.started_at))
    assert (first.conversation_id, first.channel, first.intents) == ("a", "whatsapp", ["greet", "goodbye"])
    assert (first.rating, first.comment, first.order_numbers, first.phones) == (
        4,
        "lovely",
        [1001],
        ["+14155550101"],
    )
    assert (first.fallback_messages, first.last_unanswered, first.paused) == (0, False, False)
    assert (second.intents, second.day) == (["order_status"], "2026-12-01")
    assert (third.conversation_id, third.intents, third.paused, third.last_unanswered) == (
        "c",
        ["out_of_scope"],
        True,
        True,
    )


def test_an_invalid_rating_undoes_the_rating() -> None:
    rows = [user("d", T0, "inform"), event("d", T0 + 1, "slot", name="csat_score", value="9")]
    assert fold_events(rows)[0].rating is None


def _events_table(engine: Engine, rows: List[tuple]) -> None:
    metadata = sa.MetaData()
    table = sa.Table(
        "events",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255)),
        sa.Column("type_name", sa.String(255)),
        sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)),
        sa.Column("action_name", sa.String(255)),
        sa.Column("data", sa.Text),
    )
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            table.insert(),
            [
                {"sender_id": s, "type_name": k, "timestamp": t, "intent_name": i, "data": d}
                for s, k, t, i, d in rows
            ],
        )


def test_read_conversations_picks_the_period_by_first_message(empty_engine: Engine) -> None:
    _events_table(empty_engine, ROWS)
    with empty_engine.connect() as connection:
        today = read_conversations(connection, start=DAY, end=DAY + timedelta(days=1))
        tomorrow = read_conversations(connection, start=DAY + timedelta(days=1), end=DAY + timedelta(days=2))
    assert [(c.conversation_id, c.intents) for c in today] == [
        ("a", ["greet", "goodbye"]),
        ("c", ["out_of_scope"]),
    ]
    assert [(c.conversation_id, c.intents) for c in tomorrow] == [("a", ["order_status"])]


def _counts(
    engine: Engine, replies: Optional[Dict[str, list]] = None
) -> Dict[Optional[str], ProactiveCounts]:
    with session_scope(engine) as session:
        return OutboxTables().counts(
            session, start=DAY, end=DAY + timedelta(days=1), window=timedelta(days=7), replies=replies or {}
        )


def test_no_outbox_means_zero_and_unavailable(empty_engine: Engine) -> None:
    assert _counts(empty_engine) == {None: ProactiveCounts(available=False)}


def _message(key: str, trigger: str, channel: str, conversation: Optional[str], at: Optional[datetime],
             customer: int = 1) -> OutboxMessage:  # fmt: skip
    return OutboxMessage(
        idempotency_key=key, trigger=trigger, purpose="marketing", customer_id=customer, channel=channel,
        recipient="r", conversation_id=conversation, response="utter_x", params={}, status="sent",
        due_at=DAY, created_at=DAY, attempts=1, sent_at=at,
    )  # fmt: skip


def test_the_outbox_counts_sent_replied_opted_out_and_recovered_carts(empty_engine: Engine) -> None:
    Base.metadata.create_all(empty_engine)  # the store's own outbox and consent tables
    sent = DAY + timedelta(hours=10)
    with session_scope(empty_engine) as session:
        session.add_all([Customer(id=1, email="c@example.com"), Customer(id=2, email="d@example.com")])
        session.flush()
        session.add(Order(id=1, number=5001, name="#5001", customer_id=1, placed_at=sent + timedelta(days=2)))
        session.add_all([
            _message("k1", "abandoned_cart", "whatsapp", "w1", sent),
            _message("k2", "abandoned_cart", "email", None, sent, customer=2),
            _message("k3", "back_in_stock", "whatsapp", "w2", sent),
            _message("k4", "back_in_stock", "whatsapp", "w3", None),
            _message("k5", "back_in_stock", "whatsapp", "w4", DAY - timedelta(hours=1)),
            ConsentRecord(channel="whatsapp", address="a", purpose="marketing", source="chat", wording="",
                          granted_at=DAY - timedelta(days=9), withdrawn_at=sent),
            ConsentRecord(channel="sms", address="b", purpose="marketing", source="chat", wording="",
                          granted_at=DAY - timedelta(days=9)),
        ])  # fmt: skip
    counts = _counts(
        empty_engine, replies={"w1": [sent + timedelta(hours=1)], "w2": [sent + timedelta(days=2)]}
    )
    assert counts[None] == ProactiveCounts(
        sent=3, replied=1, opted_out=1, cart_reminders=2, carts_recovered=1, available=True
    )
    assert counts["whatsapp"] == ProactiveCounts(2, 1, 1, 1, 1, True)
    assert counts["email"] == ProactiveCounts(1, 0, 0, 1, 0, True)
    assert counts[None].cart_recovery_rate == 0.5


def _cart(cart_id: int, customer: Optional[int], checked_out: Optional[datetime]) -> ShopperCart:
    return ShopperCart(
        id=cart_id, conversation_id=f"{cart_id:032x}", customer_id=customer,
        lines=[{"sku": "S", "quantity": 1}], created_at=DAY, updated_at=DAY, checked_out_at=checked_out,
    )  # fmt: skip


def test_cart_recovery_counts_nudged_carts_checked_out_within_the_window(empty_engine: Engine) -> None:
    Base.metadata.create_all(empty_engine)
    sent = DAY + timedelta(hours=10)
    with session_scope(empty_engine) as session:
        session.add_all([Customer(id=c, email=f"c{c}@example.com") for c in (1, 2, 3, 4)])
        session.flush()
        session.add_all([
            _cart(11, 1, sent + timedelta(days=1)),  # bought the next day: recovered
            _cart(12, 2, sent + timedelta(days=8)),  # bought after the 7-day window: not
            _cart(13, None, sent + timedelta(hours=2)),  # anonymous, bought: recovered (the cart says so)
            _cart(14, 4, None),  # never bought
        ])  # fmt: skip
        session.flush()
        for cart_id, customer in ((11, 1), (12, 2), (13, None), (14, 4)):
            message = _message(
                f"cart_recovery:{cart_id}", "cart_recovery", "whatsapp", None, sent, customer=1
            )
            message.customer_id, message.params = customer, {"cart_id": cart_id, "items": "Shell (M)"}
            session.add(message)
    counts = _counts(empty_engine)
    assert counts[None] == ProactiveCounts(
        sent=4, replied=0, opted_out=0, cart_reminders=4, carts_recovered=2, available=True
    )
    assert counts[None].cart_recovery_rate == 0.5


def test_recommendations_followed_count_add_to_cart_clicks(empty_engine: Engine) -> None:
    Base.metadata.create_all(empty_engine)
    started = DAY + timedelta(hours=9)
    conversation = Conversation(
        "w1", started, started + timedelta(minutes=5), "socketio", intents=["product_search"]
    )
    with session_scope(empty_engine) as session:
        session.add_all([
            RecommendationShown(conversation_id="w1", need="rain jacket", handle=h, sku=sku,
                                price=Decimal("99"), position=i, shown_at=started + timedelta(minutes=1))
            for i, (h, sku) in enumerate((("shell", "JKT-1-M"), ("puffer", "JKT-2-M"), ("vest", "VST-1-M")))
        ])  # fmt: skip
        session.add_all([
            CartLinkClick(conversation_id="w1", handle="shell", sku="JKT-1-M", cart_variant_id=1, quantity=1,
                          clicked_at=started + timedelta(minutes=2)),
            CartLinkClick(conversation_id="w1", handle="vest", sku="VST-1-M", cart_variant_id=3, quantity=1,
                          clicked_at=started + timedelta(days=9)),  # after the window: not followed
            CartLinkClick(conversation_id="other", handle="puffer", sku="JKT-2-M", cart_variant_id=2,
                          quantity=1, clicked_at=started + timedelta(minutes=3)),  # not this conversation
        ])  # fmt: skip
    with session_scope(empty_engine) as session:
        [outcome] = outcomes_of(session, [conversation], window=timedelta(days=7)).values()
        summary = summarise([(conversation, outcome)], ProactiveCounts())
    assert outcome.followed_skus == {"JKT-1-M"}
    assert (summary["recommendations_shown"], summary["recommendations_followed"]) == (3, 1)
    assert summary["recommendation_follow_rate"] == 1 / 3
