"""Seeded conversations for the insights: REST conversations against a real server, and orders
imported from a Shopify orders export into the same store.

Four conversations, each ending the way one metric needs:

* ``calm``: greets, says goodbye, is asked for a rating (5) and comments; a second goodbye the
  same day is not asked again;
* ``helped``: asks for a person; Ana claims, replies and resolves; the console asks for a rating
  (2), and the shopper says "no thanks" to the comment;
* ``lost``: greets, then a message the assistant cannot understand (``nlu_fallback``) and leaves;
* ``buyer``: verifies an order (a sample customer), is shown two products, thanks and leaves;
  then an order of one shown product is imported one hour later (inside the 7-day window), plus
  a cancelled order and one eight days later (neither counts).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List

from store import db
from store.importers.orders import import_orders
from store.models import RecommendationShown
from tests.handoff.console_client import Console
from tests.handoff.support import customer_with_orders
from tests.support.chat import chat, rest_id, tracker
from tools.launcher import Stack

SHOWN_SKUS = ("JKT-001-BLA0-M", "JKT-001-BLA0-S")
BOUGHT_SKU = "JKT-001-BLA0-M"
BOUGHT_TOTAL = Decimal("159.00")
ASSISTED_ORDER = 9901
COMMENT = "The answers were quick and clear, thank you"
ORDER_COLUMNS = (
    "Name", "Email", "Financial Status", "Created at", "Cancelled at", "Currency", "Subtotal",
    "Shipping", "Taxes", "Total", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku",
)  # fmt: skip


@dataclass
class Seeded:
    """The conversations' ids and what the test needs to know about them."""

    stack: Stack
    store_url: str
    tracker_url: str
    ids: Dict[str, str]
    buyer_intents: List[str]
    handoff: Dict[str, Any]


def _shopify_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S +0000")


def _import_orders(store_url: str, email: str, folder: Path, now: datetime) -> None:
    """Orders after the conversation, in Shopify's orders-export format, through the importer."""
    rows = [
        (ASSISTED_ORDER, now + timedelta(hours=1), ""),
        (ASSISTED_ORDER + 1, now + timedelta(hours=2), _shopify_time(now + timedelta(hours=3))),
        (ASSISTED_ORDER + 2, now + timedelta(days=8), ""),
    ]
    lines = [",".join(ORDER_COLUMNS)]
    for number, placed, cancelled in rows:
        lines.append(",".join([
            f"#{number}", email, "paid", _shopify_time(placed), cancelled, "USD", "159.00", "0.00",
            "0.00", str(BOUGHT_TOTAL), "1", "Harbor Rain Shell - M / Black", "159.00", BOUGHT_SKU,
        ]))  # fmt: skip
    path = folder / "orders_export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    engine = db.make_engine(store_url)
    try:
        with db.session_scope(engine) as session:
            assert import_orders(session, path) == 3
    finally:
        engine.dispose()


def _show_products(store_url: str, conversation_id: str, now: datetime) -> None:
    """What the product finder records when it shows products (store.recommendation_log)."""
    engine = db.make_engine(store_url)
    try:
        with db.session_scope(engine) as session:
            for position, sku in enumerate(SHOWN_SKUS, start=1):
                session.add(RecommendationShown(
                    conversation_id=conversation_id, need="a rain jacket", handle="harbor-rain-shell",
                    sku=sku, price=Decimal("159.00"), position=position, shown_at=now,
                ))  # fmt: skip
    finally:
        engine.dispose()


def expect(stack: Stack, sender: str, text: str, responses: List[str]) -> None:
    """Send ``text`` and check the assistant's answer, naming what it did instead."""
    turn = chat(stack, sender, text)
    assert turn.responses == responses, f"{text!r}: {turn.responses} {turn.actions}"


def seed(stack: Stack, store_url: str, tracker_url: str, folder: Path) -> Seeded:
    """Run the four conversations and import the orders; fails loudly when a step goes elsewhere."""
    tag = uuid.uuid4().hex[:6]
    senders = {name: f"{name}-{tag}" for name in ("calm", "helped", "lost", "buyer")}
    ids = {name: rest_id(sender) for name, sender in senders.items()}

    calm = senders["calm"]
    expect(stack, calm, "/greet", ["utter_greet"])
    expect(stack, calm, "/goodbye", ["utter_goodbye", "utter_ask_satisfaction"])
    expect(stack, calm, '/inform{"csat_score":"5"}', ["utter_ask_csat_comment"])
    expect(stack, calm, COMMENT, ["utter_satisfaction_thanks"])
    expect(stack, calm, "/goodbye", ["utter_goodbye"])  # not twice a day

    helped = senders["helped"]
    expect(stack, helped, "/human_handoff", ["utter_handoff_queued"])
    ana = Console(stack, "Ana")
    item = ana.handoff_for(ids["helped"])
    assert ana.post(f"api/handoffs/{item['id']}/claim").status_code == 200
    assert ana.post(f"api/handoffs/{item['id']}/messages", {"text": "Let me look."}).status_code == 200
    resolved = ana.post(f"api/handoffs/{item['id']}/resolve").json()
    assert resolved == {"status": "resolved", "delivered": False, "rating_asked": True}
    expect(stack, helped, '/inform{"csat_score":"2"}', ["utter_ask_csat_comment"])
    expect(stack, helped, "/deny", ["utter_satisfaction_thanks"])
    handoff = ana.detail(item["id"])

    lost = senders["lost"]
    expect(stack, lost, "/greet", ["utter_greet"])
    assert chat(stack, lost, "/nlu_fallback").responses != []

    buyer = senders["buyer"]
    customer = customer_with_orders(store_url)
    expect(stack, buyer, "where is my order?", ["utter_ask_order_number"])
    expect(stack, buyer, f"#{customer['order_number']}", ["utter_ask_order_contact"])
    verified = chat(stack, buyer, customer["email"])
    assert verified.slots.get("verified_order") is not None, verified.responses
    now = datetime.now(timezone.utc)
    _show_products(store_url, ids["buyer"], now)
    chat(stack, buyer, "/thank_you")
    events = tracker(stack, ids["buyer"])["events"]
    buyer_intents = [e["parse_data"]["intent"]["name"] for e in events if e["event"] == "user"]
    _import_orders(store_url, customer["email"], folder, now)
    return Seeded(stack, store_url, tracker_url, ids, buyer_intents, handoff)
