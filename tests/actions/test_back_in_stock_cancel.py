"""A typed "cancel my stock alert": the conversation's alerts cancelled, or a question which one
(on a private store copy; Harbor Rain Shell in XL / Black is sold out in the sample store, and the
test sells out one more variant of another product)."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.back_in_stock_cancel import ActionCancelStockAlert
from core import clock
from store.back_in_stock import subscribe
from store.db import make_engine, session_scope
from store.models import BackInStockSubscription, Product
from tests.actions.catalog_support import DOMAIN, entity, make_tracker, said

CONVERSATION = "shopper-1"  # make_tracker's sender


def _sold_out(url: str, handle: str) -> Tuple[str, str, Optional[str], Optional[str]]:
    """A variant of ``handle`` sold out in the store copy: (SKU, title, size, color)."""
    engine = make_engine(url)
    with session_scope(engine) as session:
        product = session.execute(select(Product).where(Product.handle == handle)).scalar_one()
        variant = product.variants[-1]
        variant.inventory_quantity = 0
        found = (variant.sku, product.title, variant.size, variant.color)
    engine.dispose()
    return found


def _alert(url: str, sku: str, conversation: str = CONVERSATION) -> None:
    engine = make_engine(url)
    with session_scope(engine) as session:
        subscribe(session, sku=sku, conversation_id=conversation, channel="email", contact="anna@example.com",
                  consent=True, now=clock.now())  # fmt: skip
    engine.dispose()


def _statuses(url: str) -> Dict[str, str]:
    engine = make_engine(url)
    with session_scope(engine) as session:
        rows = session.execute(select(BackInStockSubscription)).scalars()
        found = {f"{r.sku}@{r.conversation_id}": r.status for r in rows}
    engine.dispose()
    return found


async def _cancel(text: str, entities: Optional[List[Dict[str, Any]]] = None) -> List[Dict[str, Any]]:
    tracker = make_tracker(intent="cancel_stock_alert", text=text, entities=entities)
    dispatcher = CollectingDispatcher()
    assert await ActionCancelStockAlert().run(dispatcher, tracker, DOMAIN) == []
    return said(dispatcher)


@pytest.fixture
def shell(order_store: str) -> Tuple[str, str, Optional[str], Optional[str]]:
    return _sold_out(order_store, "harbor-rain-shell")


async def test_the_only_alert_is_cancelled_and_another_conversations_is_kept(order_store: str, shell) -> None:
    sku, title, size, color = shell
    _alert(order_store, sku)
    _alert(order_store, sku, conversation="someone-else")
    assert await _cancel("cancel my stock alert") == [
        {"response": "utter_back_in_stock_cancelled", "product": f"{title} ({size} / {color})"}
    ]
    assert _statuses(order_store) == {f"{sku}@{CONVERSATION}": "cancelled", f"{sku}@someone-else": "active"}


async def test_without_alerts_there_is_nothing_to_cancel(order_store: str) -> None:
    assert [m["response"] for m in await _cancel("cancel my restock alert")] == [
        "utter_back_in_stock_no_alerts"
    ]


async def test_several_alerts_are_offered_as_buttons_unless_the_message_names_one(
    order_store: str, shell
) -> None:
    shell_sku, shell_title, *_ = shell
    other_sku, other_title, other_size, other_color = _sold_out(order_store, "chelsea-boot")
    _alert(order_store, shell_sku)
    _alert(order_store, other_sku)

    asked = await _cancel("stop the restock notifications")
    assert [m["response"] for m in asked] == ["utter_back_in_stock_which_to_cancel"]
    payloads = [json.loads(b["payload"][len("/product_stock") :]) for b in asked[0]["buttons"]]
    assert [p["product"] for p in payloads] == [shell_title, other_title]
    assert {p["stock_alert"] for p in payloads} == {"cancel"}
    assert set(_statuses(order_store).values()) == {"active"}  # nothing cancelled yet

    named = await _cancel(f"stop the restock alert for the {other_title}", [entity("product", other_title)])
    variant = " / ".join(p for p in (other_size, other_color) if p)
    assert named == [{"response": "utter_back_in_stock_cancelled", "product": f"{other_title} ({variant})"}]
    assert _statuses(order_store) == {
        f"{shell_sku}@{CONVERSATION}": "active",
        f"{other_sku}@{CONVERSATION}": "cancelled",
    }

    elsewhere = await _cancel("cancel the alert for the beanie", [entity("product", "beanie")])
    assert elsewhere == [{"response": "utter_back_in_stock_nothing_to_cancel", "product": "beanie"}]
