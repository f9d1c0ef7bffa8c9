"""Guided selling over REST against the real servers and the sample store: gift, compare, complete
the look, add-to-cart links through the assistant's redirect, back in stock subscribe and cancel,
and a product added after training.

Turns are read back from the tracker (response names, slots); store rows are read from the store
the servers use. Each test is its own shopper; what a test adds to the shared store it removes.
"""

from __future__ import annotations

import json
import re
import uuid
from decimal import Decimal
from typing import Iterator

import pytest
import requests
from sqlalchemy import delete, select

from core import clock
from store.back_in_stock import set_stock
from store.catalog_version import bump_catalog_version
from store.db import make_engine, session_scope
from store.models import BackInStockSubscription, CartLinkClick, Category, Product, Variant
from tests.support.chat import chat, rest_id
from tools.launcher import Stack

pytestmark = pytest.mark.integration

PICKS = ("utter_finder_pick_because", "utter_finder_pick_material", "utter_finder_pick")
CART_LINK = re.compile(r"\[Add to cart\]\((\S+?)\)")
"""The widget's and REST's link (markdown); WhatsApp gets the bare URL (a channel variant)."""


def _sender(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def store(store_db_url: str) -> Iterator:
    engine = make_engine(store_db_url)
    yield engine
    engine.dispose()


def test_a_gift_gets_gift_steps_and_the_gift_return_rules_without_a_size_question(stack: Stack) -> None:
    turn = chat(stack, _sender("gift"), "a present for my brother who cycles")
    assert turn.actions[0] == "action_product_search"
    assert 2 <= len([r for r in turn.responses if r in PICKS]) <= 3
    assert {"utter_gift_note_offer", "utter_gift_receipt", "utter_gift_returns_store_credit"} <= set(
        turn.responses
    )
    assert any(r.startswith("utter_finder_gift_next") for r in turn.responses)
    assert not any(r.startswith("utter_ask") for r in turn.responses)
    assert "200 characters" in turn.text and "30 days" in turn.text  # store.yaml gifts, returns.yaml


def test_two_named_products_are_compared_side_by_side(stack: Stack) -> None:
    turn = chat(
        stack, _sender("compare"), "which is better for rain, the Harbor Rain Shell or the Zip Hoodie?"
    )
    assert turn.actions[0] == "action_product_search"
    items = [r for r in turn.responses if r and r.startswith("utter_product_compare_item")]
    assert len(items) == 2 and turn.responses.count("utter_product_compare_best_for") == 2
    assert "utter_product_compare_material" in turn.responses
    assert turn.text.index("Harbor Rain Shell") < turn.text.index("Zip Hoodie")


def test_what_goes_with_it_after_a_recommendation_and_the_look_button(stack: Stack) -> None:
    sender = _sender("look")
    shown = chat(stack, sender, "a warm jacket for winter walks, under $250")
    assert shown.responses[-1] == "utter_look_offer"  # offered after the answer, never before
    first = shown.slots["latest_recommendations"][0]
    assert first == "summit-insulated-parka"  # bought with a beanie and knit gloves in the history
    looks = [b["payload"] for b in shown.buttons() if '"look":"complete"' in b["payload"]]
    assert f'/product_search{{"product":"{first}","look":"complete"}}' in looks
    typed = chat(stack, sender, "what goes with it?")
    assert typed.actions[0] == "action_product_search" and typed.responses[0] == "utter_look_intro"
    assert "Summit Insulated Parka" in typed.text.splitlines()[0]
    assert "utter_look_item" in typed.responses and CART_LINK.search(typed.text)
    for payload in looks:
        turn = chat(stack, sender, payload)
        assert turn.responses[0] == "utter_look_intro" and "utter_look_item" in turn.responses


def test_an_add_to_cart_link_is_recorded_then_redirects_to_the_cart_permalink(stack: Stack, store) -> None:
    sender = _sender("cart")
    turn = chat(stack, sender, "a warm jacket for winter walks, under $250")
    links = CART_LINK.findall(turn.text)
    assert len(links) == len([r for r in turn.responses if r in PICKS]) >= 2
    forged = re.sub(r"([?&]q=)1", r"\g<1>5", links[0])
    assert requests.get(forged, allow_redirects=False, timeout=30).status_code == 400
    unsigned = links[0].split("&sig=")[0]
    assert requests.get(unsigned, allow_redirects=False, timeout=30).status_code == 400
    bad_permalink = f"{stack.rasa_url}/webhooks/storefront/cart/not-a-variant"
    assert requests.get(bad_permalink, allow_redirects=False, timeout=30).status_code == 400

    followed = requests.get(links[0], allow_redirects=False, timeout=30)
    assert followed.status_code == 302
    permalink = followed.headers["Location"]
    match = re.fullmatch(r"/webhooks/storefront/cart/(\d+):1", permalink)
    assert match, permalink
    with session_scope(store) as session:
        clicks = (
            session.execute(select(CartLinkClick).where(CartLinkClick.conversation_id == rest_id(sender)))
            .scalars()
            .all()
        )
        assert [(c.handle, c.cart_variant_id, c.quantity) for c in clicks] == [
            (turn.slots["latest_recommendations"][0], int(match.group(1)), 1)
        ]
    demo = requests.get(f"{stack.rasa_url}{permalink}", allow_redirects=False, timeout=30)
    assert (
        demo.status_code == 302
        and demo.headers["Location"] == f"/webhooks/storefront/?add={match.group(1)}:1"
    )
    variant = requests.get(
        f"{stack.rasa_url}/webhooks/storefront/api/cart-variants/{match.group(1)}", timeout=30
    )
    assert variant.json()["handle"] == turn.slots["latest_recommendations"][0] and variant.json()["available"]


def test_back_in_stock_subscribe_with_consent_then_cancel(stack: Stack, store) -> None:
    sender = _sender("restock")
    sold_out = chat(stack, sender, "is the Harbor Rain Shell in XL black in stock?")
    assert (
        sold_out.responses[0] == "utter_stock_sold_out"
        and sold_out.responses[-1] == "utter_back_in_stock_offer"
    )
    [subscribe] = [b["payload"] for b in sold_out.buttons() if '"stock_alert":"subscribe"' in b["payload"]]
    assert json.loads(subscribe[len("/product_stock") :])["size"] == "XL"

    asked = chat(stack, sender, subscribe)
    assert asked.responses[-1] == "utter_ask_alert_contact"
    consent = chat(stack, sender, "it's anna.restock@example.com")
    assert consent.responses == ["utter_ask_alert_consent"] and "anna.restock@example.com" in consent.text
    offers = chat(stack, sender, "yes please")
    # the address has no marketing consent: asked once, as the alert's last question
    assert offers.responses == ["utter_ask_marketing_consent"]
    done = chat(stack, sender, "no thanks")
    assert done.actions[:2] == ["back_in_stock_form", "action_back_in_stock_subscribe"]
    assert done.responses == ["utter_back_in_stock_subscribed"]
    with session_scope(store) as session:
        rows = (
            session.execute(
                select(BackInStockSubscription).where(
                    BackInStockSubscription.conversation_id == rest_id(sender)
                )
            )
            .scalars()
            .all()
        )
        assert [(r.channel, r.contact, r.status) for r in rows] == [
            ("email", "anna.restock@example.com", "active")
        ]
        assert rows[0].consented_at is not None

    [cancel] = [b["payload"] for b in done.buttons() if '"stock_alert":"cancel"' in b["payload"]]
    cancelled = chat(stack, sender, cancel)
    assert cancelled.responses == ["utter_back_in_stock_cancelled"]
    with session_scope(store) as session:
        statuses = (
            session.execute(
                select(BackInStockSubscription.status).where(
                    BackInStockSubscription.conversation_id == rest_id(sender)
                )
            )
            .scalars()
            .all()
        )
        assert statuses == ["cancelled"]


def _alert_statuses(store, sender: str) -> list:
    with session_scope(store) as session:
        stmt = select(BackInStockSubscription.status).where(
            BackInStockSubscription.conversation_id == rest_id(sender)
        )
        return list(session.execute(stmt).scalars())


def test_a_typed_request_cancels_the_back_in_stock_alert(stack: Stack, store) -> None:
    sender = _sender("restock-typed")
    sold_out = chat(stack, sender, "is the Harbor Rain Shell in XL black in stock?")
    [subscribe] = [b["payload"] for b in sold_out.buttons() if '"stock_alert":"subscribe"' in b["payload"]]
    chat(stack, sender, subscribe)
    chat(stack, sender, "it's ben.typed@example.com")
    assert chat(stack, sender, "yes please").responses == ["utter_ask_marketing_consent"]
    assert chat(stack, sender, "no thanks").responses == ["utter_back_in_stock_subscribed"]
    assert _alert_statuses(store, sender) == ["active"]

    cancelled = chat(stack, sender, "actually, cancel my stock alert please")
    assert cancelled.actions[0] == "action_cancel_stock_alert"
    assert cancelled.responses == ["utter_back_in_stock_cancelled"] and "Harbor Rain Shell" in cancelled.text
    assert _alert_statuses(store, sender) == ["cancelled"]


def test_a_typed_cancel_without_an_alert_says_there_is_none(stack: Stack) -> None:
    turn = chat(stack, _sender("restock-none"), "stop the restock notification for the jacket")
    assert turn.actions[0] == "action_cancel_stock_alert"
    assert turn.responses == ["utter_back_in_stock_no_alerts"]


def test_declining_consent_stores_nothing(stack: Stack, store) -> None:
    sender = _sender("restock-no")
    sold_out = chat(stack, sender, "is the Harbor Rain Shell in XL black in stock?")
    [subscribe] = [b["payload"] for b in sold_out.buttons() if '"stock_alert":"subscribe"' in b["payload"]]
    chat(stack, sender, subscribe)
    chat(stack, sender, "bo@example.com")
    declined = chat(stack, sender, "no")
    assert declined.responses == ["utter_back_in_stock_not_subscribed"]
    with session_scope(store) as session:
        assert (
            not session.execute(
                select(BackInStockSubscription).where(
                    BackInStockSubscription.conversation_id == rest_id(sender)
                )
            )
            .scalars()
            .all()
        )


@pytest.fixture
def heated_vest(store) -> Iterator[str]:
    """A product the trained model has never seen, added to the store the servers use."""
    with session_scope(store) as session:
        jackets = session.execute(select(Category).where(Category.name == "Jackets & Coats")).scalar_one()
        vest = Product(
            handle="glacier-heated-vest", title="Glacier Heated Vest", vendor="Northwind", category=jackets,
            description="A battery heated vest for ice fishing and frosty mornings.",
            tags=["heated", "ice-fishing", "insulated"], status="active",
        )  # fmt: skip
        vest.variants.append(Variant(position=0, sku="JKT-GHV-M-BLK", size="M", color="Black", options={},
                                     price=Decimal("149.00"), inventory_quantity=0))  # fmt: skip
        session.add(vest)
        bump_catalog_version(session)
    yield "Glacier Heated Vest"
    with session_scope(store) as session:
        session.execute(delete(Variant).where(Variant.sku == "JKT-GHV-M-BLK"))
        session.execute(delete(Product).where(Product.handle == "glacier-heated-vest"))
        bump_catalog_version(session)


def test_a_product_added_after_training_is_recommended_once_in_stock(
    stack: Stack, store, heated_vest: str
) -> None:
    before = chat(stack, _sender("new"), "a heated vest for ice fishing")
    assert heated_vest not in before.text  # sold out: never recommended
    with session_scope(store) as session:
        set_stock(session, sku="JKT-GHV-M-BLK", quantity=4, now=clock.now())
    turn = chat(stack, _sender("new"), "a heated vest for ice fishing")
    assert turn.actions[0] == "action_product_search"
    assert turn.slots["latest_recommendations"][0] == "glacier-heated-vest"
    assert heated_vest in turn.text.splitlines()[1]
