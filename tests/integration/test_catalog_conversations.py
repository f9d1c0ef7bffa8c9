"""Shipping, sizing, stock, discount and payment conversations over REST against the real stack.

Each turn's response names come from the tracker; the replies' facts (prices, sizes, stock, dates,
payment methods) are checked against the store database the servers use (``store_db_url``), not
against strings copied from the sample data or the wording of the responses.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any, Dict, List
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from store.catalog import get_product
from store.db import make_engine, session_scope
from store.discounts import CartLine, check_discount
from store.info import store_info
from store.models import DiscountCode
from store.shipping import delivery_estimate
from store.sizing import recommend_size
from store.stock import variant_stock
from tests.support.chat import chat
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def _sender() -> str:
    return f"catalog-{uuid.uuid4().hex[:10]}"


def _dollars(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b}"


def _payloads(buttons: List[Dict[str, Any]]) -> List[str]:
    return [b["payload"] for b in buttons]


@pytest.fixture(scope="module")
def store_session(store_db_url: str):
    engine = make_engine(store_db_url)
    with session_scope(engine) as session:
        yield session
    engine.dispose()


def test_shipping_to_a_country_gives_its_methods_prices_and_free_threshold(
    stack: Stack, store_session
) -> None:
    options = delivery_estimate(store_session, country="Canada")
    turn = chat(stack, _sender(), '/shipping_info{"country":"Canada"}')
    assert turn.responses[0] == "utter_shipping_header" and "Canada" in turn.replies[0]["text"]
    option_lines = turn.replies[1 : 1 + len(options)]
    assert all(name.startswith("utter_shipping_option") for name in turn.responses[1 : 1 + len(options)])
    assert options
    for option, line in zip(options, option_lines, strict=True):
        assert all(fact in line["text"] for fact in (option.name, option.carrier, _dollars(option.price)))
    threshold = next(o.free_shipping_threshold for o in options if o.free_shipping_threshold)
    assert turn.responses[-1] == "utter_shipping_free_threshold"
    assert _dollars(threshold) in turn.replies[-1]["text"]
    assert "/human_handoff" in _payloads(turn.buttons())


def test_shipping_asks_for_the_destination_and_refuses_one_we_do_not_serve(stack: Stack) -> None:
    sender = _sender()
    asked = chat(stack, sender, "/shipping_info")
    assert asked.responses == ["utter_ask_shipping_form_country"] and "United States" in asked.text
    refused = chat(stack, sender, '/inform{"country":"Japan"}')
    assert refused.responses == ["utter_shipping_destination_unknown"] and "Japan" in refused.text


def test_size_from_height_and_weight_matches_the_size_chart(stack: Stack, store_session) -> None:
    expected = recommend_size(store_session, product="zip-hoodie", height_cm=178, weight_kg=72)
    turn = chat(stack, _sender(), '/size_help{"product":"Zip Hoodie","height":"178 cm","weight":"72 kg"}')
    assert expected.size is not None
    assert turn.responses[0] == "utter_size_recommendation_measurements"
    assert turn.responses[-1] == ("utter_size_in_stock" if expected.in_stock else "utter_size_out_of_stock")
    recommendation = turn.replies[0]["text"]
    assert all(fact in recommendation for fact in (expected.product_title, str(expected.size_chart_url)))
    assert turn.slots["size"] == expected.size


def test_a_sold_out_variant_offers_in_stock_alternatives(stack: Stack, store_session) -> None:
    stock = variant_stock(store_session, product="harbor-rain-shell", size="XL", color="Black")
    assert not stock.in_stock and stock.alternatives
    turn = chat(stack, _sender(), '/product_stock{"product":"harbor-rain-shell","size":"XL","color":"Black"}')
    assert turn.responses == ["utter_stock_sold_out", "utter_stock_alternative", "utter_back_in_stock_offer"]
    assert "Harbor Rain Shell" in turn.text and "XL / Black" in turn.text
    in_stock = {(a.handle, a.size, a.color) for a in stock.alternatives}
    offered = [
        p for p in _payloads(turn.buttons()) if p.startswith("/product_stock") and "stock_alert" not in p
    ]
    assert offered
    for payload in offered:
        entities = json.loads(payload[len("/product_stock") :])
        assert (entities["product"], entities.get("size"), entities.get("color")) in in_stock
        detail = get_product(store_session, product=entities["product"])
        assert detail is not None
        assert any(
            v.size == entities.get("size") and v.color == entities.get("color") and v.available
            for v in detail.variants
        )


def test_an_expired_code_says_when_it_ended(stack: Stack, store_session) -> None:
    row = store_session.execute(select(DiscountCode).where(DiscountCode.code == "SUMMER20")).scalar_one()
    ended = _day(row.ends_at.astimezone(ZoneInfo(store_info(store_session).timezone)).date())
    sender = _sender()
    assert chat(stack, sender, "/discount_code").responses == ["utter_ask_discount_code"]
    expired = chat(stack, sender, "SUMMER20")
    assert expired.responses == ["utter_discount_expired"]
    assert "SUMMER20" in expired.text and ended in expired.text


def test_minimum_spend_uses_the_widget_cart(stack: Stack, store_session) -> None:
    cart = [{"sku": "KNT-014-CHA0-M", "quantity": 1, "price": "50.00"}]
    check = check_discount(
        store_session, code="TAKE15", cart=[CartLine("KNT-014-CHA0-M", 1, Decimal("50.00"))]
    )
    assert check.reason == "min_spend" and check.missing_spend is not None
    sender = _sender()
    chat(stack, sender, "/discount_code", metadata={"cart": cart})
    answer = chat(stack, sender, "TAKE15", metadata={"cart": cart})
    assert answer.responses == ["utter_discount_min_spend"]
    assert _dollars(check.missing_spend) in answer.text


def test_payment_problem_lists_the_store_methods_and_offers_a_person(stack: Stack, store_session) -> None:
    info = store_info(store_session)
    turn = chat(stack, _sender(), "/payment_problem")
    assert turn.responses[0] == "utter_payment_help" and turn.responses[-1] == "utter_payment_offer_person"
    assert ", ".join(info.payment_methods) in turn.replies[0]["text"]
    assert "/human_handoff" in _payloads(turn.buttons())


def test_a_short_follow_up_after_a_size_answer_sizes_the_other_product(stack: Stack, store_session) -> None:
    """Typed, not payloads: "and the Ridgeline Fleece Jacket?" reads as a search or a bare answer."""
    sender = _sender()
    first = chat(stack, sender, "what size zip hoodie should I get? I'm 178cm and 72kg")
    assert first.responses[0] == "utter_size_recommendation_measurements"
    expected = recommend_size(store_session, product="ridgeline-fleece-jacket", height_cm=178, weight_kg=72)
    assert expected.size is not None
    again = chat(stack, sender, "and the ridgeline fleece jacket?")
    assert again.responses[0] == "utter_size_recommendation_measurements"
    assert expected.product_title in again.replies[0]["text"]
    assert again.slots["size"] == expected.size


def test_a_usual_size_given_before_the_product_is_kept_for_the_recommendation(
    stack: Stack, store_session
) -> None:
    """Asked which product, the shopper says what they usually wear: that is no product name.
    The product is asked for again, and once named, the usual size gives the recommendation."""
    sender = _sender()
    asked = chat(stack, sender, "what size should i get")
    assert asked.responses[-1] == "utter_ask_sizing_form_product"
    usual = chat(stack, sender, "i'm usually a medium in most brands but i have broad shoulders")
    assert "utter_product_not_found" not in usual.responses
    assert usual.responses[-1] == "utter_ask_sizing_form_product"
    assert usual.slots["usual_size"] == "M"
    expected = recommend_size(store_session, product="zip-hoodie", usual_size="M")
    assert expected.size is not None
    named = chat(stack, sender, "the zip hoodie")
    assert named.responses[0] == "utter_size_recommendation_usual", named.responses
    assert named.slots["size"] == expected.size


def test_a_category_after_a_size_answer_asks_which_product(stack: Stack) -> None:
    sender = _sender()
    first = chat(stack, sender, "what size zip hoodie should I get? I'm 178cm and 72kg")
    assert first.responses[0] == "utter_size_recommendation_measurements"
    again = chat(stack, sender, "do the jeans run small?")
    assert "utter_size_recommendation_measurements" not in again.responses  # not the hoodie again
    assert again.responses[-1] == "utter_ask_sizing_form_product_of_kind"  # which jeans, as buttons
    picks = [b["payload"] for b in again.buttons() if b["payload"].startswith("/size_help")]
    assert picks and "zip-hoodie" not in " ".join(picks)


def test_a_size_question_about_a_kind_offers_its_products_then_sizes_the_one_picked(stack: Stack) -> None:
    sender = f"kind-{uuid.uuid4().hex[:8]}"
    asked = chat(stack, sender, "what size jeans should i get? my waist is 32 inches")
    assert asked.responses == ["utter_ask_sizing_form_product_of_kind"], asked.responses
    picks = [b["payload"] for b in asked.buttons() if b["payload"].startswith("/size_help")]
    assert picks and all("jeans" in payload for payload in picks)

    sized = chat(stack, sender, picks[0])
    assert "action_size_help" in sized.actions
    assert sized.slots["size"] == "32"  # the waist given with the question, on that product's chart


def test_a_stock_question_about_a_kind_of_product_searches(stack: Stack) -> None:
    """Read as a stock question, it names dresses, not one dress: products, not "which product?"."""
    turn = chat(stack, f"catalog-{uuid.uuid4().hex[:10]}", "do u have any dresses in red size s under 100")
    assert "utter_ask_stock_form_product" not in turn.responses, turn.responses
    assert "action_product_search" in turn.actions


def test_a_catalog_list_is_kept_for_what_comes_next(stack: Stack) -> None:
    """After the closest matches, "what about blue" still searches dresses and "the first one"
    points at the first product listed."""
    sender = f"catalog-{uuid.uuid4().hex[:10]}"
    listed = chat(stack, sender, "do u have any dresses in red size s under 100")
    assert listed.slots["latest_recommendations"]
    blue = chat(stack, sender, "what about blue")
    assert "dresses" in blue.slots["finder_need"] and blue.slots["finder_filters"]["color"] == "Blue"
    assert blue.slots["finder_filters"]["category"] == listed.slots["finder_filters"]["category"]
    pointed = chat(stack, sender, "the first one")
    assert pointed.slots["product"] == blue.slots["latest_recommendations"][0]
