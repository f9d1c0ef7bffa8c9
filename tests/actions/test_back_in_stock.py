"""Back in stock in the chat: the offer under a sold-out answer, the form's contact and consent,
the subscription stored and shown with its cancel button, and the cancel (on a private store copy).

Harbor Rain Shell in XL / Black is sold out in the sample store.
"""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.back_in_stock import ActionBackInStockSubscribe, ValidateBackInStockForm, alert_request
from actions.catalog import ActionProductStock
from store.db import make_engine, session_scope
from store.models import BackInStockSubscription
from tests.actions.catalog_support import DOMAIN, entity, make_tracker, said

SHELL = {"product": "harbor-rain-shell", "size": "XL", "color": "Black"}
TARGET = {"product": "harbor-rain-shell", "title": "Harbor Rain Shell", "variant": "XL / Black", "size": "XL",
          "color": "Black", "skus": ["JKT-001-BLK-XL"]}  # fmt: skip
WEB_ANNA = {"shopper": {"channel": "web", "proved_by": "socketio", "verified_email": "anna@example.com"}}


def _payload_entities(payload: str) -> Dict[str, Any]:
    return json.loads(payload[len("/product_stock") :])


def _rows(url: str) -> list:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            rows = session.execute(select(BackInStockSubscription).order_by(BackInStockSubscription.id))
            return [(r.sku, r.conversation_id, r.channel, r.contact, r.status) for r in rows.scalars()]
    finally:
        engine.dispose()


async def _stock(text: str = "", alert: str | None = None, metadata: Dict[str, Any] | None = None):
    entities = [entity("stock_alert", alert)] if alert else []
    tracker = make_tracker(
        intent="product_stock",
        text=text or "/product_stock",
        entities=entities,
        slots=SHELL,
        metadata=metadata,
    )
    dispatcher = CollectingDispatcher()
    events = await ActionProductStock().run(dispatcher, tracker, DOMAIN)
    return said(dispatcher), events


@pytest.fixture
def skus(order_store: str) -> list:
    """The sold-out SKUs of the target, read from the store copy (not assumed)."""
    from store.models import Product

    engine = make_engine(order_store)
    with session_scope(engine) as session:
        shell = session.execute(select(Product).where(Product.handle == "harbor-rain-shell")).scalar_one()
        found = [v.sku for v in shell.variants if v.size == "XL" and v.color == "Black"]
        assert [v.inventory_quantity for v in shell.variants if v.sku in found] == [0]
    engine.dispose()
    return found


async def test_a_sold_out_answer_offers_the_alert_after_the_alternatives(skus) -> None:
    messages, _ = await _stock()
    assert [m["response"] for m in messages] == [
        "utter_stock_sold_out",
        "utter_stock_alternative",
        "utter_back_in_stock_offer",
    ]
    assert _payload_entities(messages[-1]["subscribe_payload"]) == {**SHELL, "stock_alert": "subscribe"}


async def test_the_alert_button_starts_the_form_with_what_the_shopper_waits_for(skus) -> None:
    messages, events = await _stock(alert="subscribe")
    assert [m["response"] for m in messages] == ["utter_stock_sold_out"]
    target = {**TARGET, "skus": skus}
    assert events[-6:] == [
        SlotSet("stock_alert_target", target), SlotSet("alert_contact", None), SlotSet("alert_consent", None),
        SlotSet("marketing_consent", None), SlotSet("marketing_consent_offer", None),
        FollowupAction("back_in_stock_form"),
    ]  # fmt: skip


async def test_the_signed_in_shoppers_email_is_filled_in(skus) -> None:
    _, events = await _stock(alert="subscribe", metadata=WEB_ANNA)
    assert SlotSet("alert_contact", "anna@example.com") in events


@pytest.mark.parametrize(
    "text, expected",
    [("can you tell me when the XL is back?", "subscribe"), ("let me know when it's restocked", "subscribe"),
     ("email me as soon as the large restocks", "subscribe"), ("is the XL in stock", None),
     ("when will the hoodie be back in stock", None), ("can you tell me if the XL is available", None)],
)  # fmt: skip
def test_a_typed_request_to_hear_when_it_is_back(text: str, expected: str | None) -> None:
    assert alert_request(make_tracker(intent="product_stock", text=text)) == expected


@pytest.mark.parametrize(
    "typed, expected",
    [("anna@example.com", {"alert_contact": "anna@example.com"}),
     ("it's Anna@Example.com thanks", {"alert_contact": "anna@example.com"}),
     ("+1 212 555 0100", {"alert_contact": None}),
     ("no thanks", {"alert_contact": "none", "alert_consent": False, "marketing_consent": "not_asked",
                    "marketing_consent_offer": None})],
)  # fmt: skip
async def test_a_typed_contact_must_be_an_email(typed: str, expected: Dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text=typed, active_loop="back_in_stock_form")
    assert (
        await ValidateBackInStockForm().validate_alert_contact(typed, dispatcher, tracker, DOMAIN) == expected
    )


async def test_consent_is_an_explicit_yes_only() -> None:
    form, dispatcher, tracker = ValidateBackInStockForm(), CollectingDispatcher(), make_tracker()
    no_offer = {"marketing_consent": "not_asked", "marketing_consent_offer": None}  # no contact to ask about
    assert await form.validate_alert_consent(True, dispatcher, tracker, DOMAIN) == {
        "alert_consent": True,
        **no_offer,
    }
    assert await form.validate_alert_consent("yes", dispatcher, tracker, DOMAIN) == {
        "alert_consent": False, **no_offer,
    }  # fmt: skip


async def _subscribe(slots: Dict[str, Any]):
    dispatcher = CollectingDispatcher()
    events = await ActionBackInStockSubscribe().run(dispatcher, make_tracker(slots=slots), DOMAIN)
    return said(dispatcher), events


async def test_with_consent_the_subscription_is_stored_shown_and_cancellable(order_store: str, skus) -> None:
    slots = {"stock_alert_target": {**TARGET, "skus": skus}, "alert_contact": "anna@example.com",
             "alert_consent": True}  # fmt: skip
    messages, events = await _subscribe(slots)
    assert [(m["response"], m["product"], m["contact"]) for m in messages] == [
        ("utter_back_in_stock_subscribed", "Harbor Rain Shell (XL / Black)", "anna@example.com")
    ]
    assert _payload_entities(messages[0]["cancel_payload"]) == {**SHELL, "stock_alert": "cancel"}
    assert events == [
        SlotSet(s, None)
        for s in (
            "stock_alert_target",
            "alert_contact",
            "alert_consent",
            "marketing_consent",
            "marketing_consent_offer",
        )
    ]
    assert _rows(order_store) == [(skus[0], "shopper-1", "email", "anna@example.com", "active")]

    cancelled, _ = await _stock(alert="cancel")
    assert cancelled == [
        {"response": "utter_back_in_stock_cancelled", "product": "Harbor Rain Shell (XL / Black)"}
    ]
    assert _rows(order_store)[0][-1] == "cancelled"
    again, _ = await _stock(alert="cancel")
    assert [m["response"] for m in again] == ["utter_back_in_stock_nothing_to_cancel"]


@pytest.mark.parametrize("consent, contact", [(False, "anna@example.com"), (True, "none"), (None, None)])
async def test_without_consent_or_contact_nothing_is_stored(order_store: str, skus, consent, contact) -> None:
    slots = {
        "stock_alert_target": {**TARGET, "skus": skus},
        "alert_contact": contact,
        "alert_consent": consent,
    }
    messages, _ = await _subscribe(slots)
    assert [m["response"] for m in messages] == ["utter_back_in_stock_not_subscribed"]
    assert _rows(order_store) == []
