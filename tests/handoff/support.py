"""Shared helpers for the handoff tests: trackers, a private copy of the sample store, a clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest
from sqlalchemy import select

from store import db
from store.models import Customer, Handoff, HandoffMessage, Order
from store.orders import orders_for_contact
from tests.support.stacks import copy_store
from tests.support.trackers import DOMAIN, said, tracker_from_events  # noqa: F401 (re-exported to the tests)


def user(
    text: str,
    intent: str,
    confidence: float = 0.9,
    metadata: Optional[Dict[str, Any]] = None,
    ranking: Optional[List[Dict[str, Any]]] = None,
    timestamp: float = 1_700_000_000.0,
    input_channel: str = "socketio",
) -> Dict[str, Any]:
    """A user event as the Rasa server sends it to the action server."""
    parse = {
        "intent": {"name": intent, "confidence": confidence},
        "entities": [],
        "text": text,
        "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
    }
    return {
        "event": "user",
        "text": text,
        "parse_data": parse,
        "metadata": metadata or {},
        "timestamp": timestamp,
        "input_channel": input_channel,
    }


def bot(text: str, timestamp: float = 1_700_000_001.0) -> Dict[str, Any]:
    return {"event": "bot", "text": text, "data": {}, "metadata": {}, "timestamp": timestamp}


@pytest.fixture
def private_store(store_db_url: str, tmp_path: Path, use_store: Callable[[str], None]) -> str:
    """A copy of the session's sample store with an empty handoff queue, for one test."""
    url = copy_store(store_db_url, tmp_path)
    engine = db.make_engine(url)
    with engine.begin() as connection:  # handoffs other tests queued in the session store
        connection.execute(HandoffMessage.__table__.delete())
        connection.execute(Handoff.__table__.delete())
    engine.dispose()
    use_store(url)
    return url


def customer_with_orders(url: str) -> Dict[str, Any]:
    """A sample customer who has a non-cancelled order: email, phone and one order number."""
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as session:
            row = session.execute(
                select(Customer.email, Customer.phone, Order.number)
                .join(Order, Order.customer_id == Customer.id)
                .where(Order.cancelled_at.is_(None), Customer.email.is_not(None))
                .order_by(Order.number)
                .limit(1)
            ).one()
            return {"email": row[0], "phone": row[1], "order_number": row[2]}
    finally:
        engine.dispose()


def customer_with_unshipped_order(url: str) -> Dict[str, Any]:
    """A sample customer one of whose three latest orders has not shipped: email and that order."""
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as session:
            for email in session.execute(select(Customer.email).where(Customer.email.is_not(None))).scalars():
                unshipped = [
                    o for o in orders_for_contact(session, email=email, limit=3) if o.status == "unfulfilled"
                ]
                if unshipped:
                    return {"email": email, "order": str(unshipped[0].number)}
    finally:
        engine.dispose()
    raise AssertionError("the sample store has no customer with an unshipped recent order")
