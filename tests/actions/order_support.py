"""Helpers for the order, return and order-change action tests: trackers, runs and store facts."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from store.db import session_scope
from store.models import Fulfillment, LineItem, Order, Variant
from tests.support.trackers import DOMAIN, make_tracker, said  # noqa: F401 (re-exported to the tests)

AVA = "ava.shopper@example.com"
AVA_PHONE = "+1 415 555 0101"
BEN = "ben.buyer@example.com"
ELLA = "ella.returns@example.com"
DEV = "dev.delayed@example.com"
FINN = "finn.cancel@example.com"
GIA = "gia.returned@example.com"


def whatsapp(phone: str) -> Dict[str, Any]:
    """Metadata as the WhatsApp channel sets it after checking the sender."""
    return {
        "shopper": {
            "channel": "whatsapp", "proved_by": "whatsapp", "verified_phone": phone,
            "wa_id": phone.strip("+"), "name": "Ava",
        }
    }  # fmt: skip


async def run(action: Action, tracker: Tracker) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Run the action; return its events and what it said (response name, kwargs and buttons)."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    return events, said(dispatcher)


def responses(messages: List[Dict[str, Any]]) -> List[str]:
    """Just the response names, in order."""
    return [m["response"] for m in messages]


def line_items(number: int) -> List[LineItem]:
    """The order's line items straight from the database (position order)."""
    with session_scope() as session:
        order = session.execute(select(Order).where(Order.number == number)).scalar_one()
        return list(
            session.execute(
                select(LineItem).where(LineItem.order_id == order.id).order_by(LineItem.position)
            ).scalars()
        )


def line_id(number: int, product_title: str) -> int:
    """The id of the order's line for ``product_title``."""
    return next(item.id for item in line_items(number) if item.title.startswith(product_title))


def order_row(number: int) -> Order:
    """The order row (detached) for direct checks."""
    with session_scope() as session:
        return session.execute(select(Order).where(Order.number == number)).scalar_one()


def fulfillments(number: int) -> List[Fulfillment]:
    """The order's fulfillments straight from the database."""
    with session_scope() as session:
        order = session.execute(select(Order).where(Order.number == number)).scalar_one()
        return list(session.execute(select(Fulfillment).where(Fulfillment.order_id == order.id)).scalars())


def variants_of(sku: str) -> List[Variant]:
    """All variants of the product the SKU belongs to."""
    with session_scope() as session:
        variant = session.execute(select(Variant).where(Variant.sku == sku)).scalar_one()
        return list(
            session.execute(select(Variant).where(Variant.product_id == variant.product_id)).scalars()
        )


def set_high_value_threshold(amount: str) -> None:
    """Change ``high_value_order_threshold`` (store.yaml) in the test's private store copy."""
    from store.models import StoreSetting

    with session_scope() as session:
        session.get(StoreSetting, "high_value_order_threshold").value = amount
