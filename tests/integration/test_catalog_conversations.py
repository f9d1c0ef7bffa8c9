"""Shipping, sizing, stock, discount and payment conversations over REST against the real stack.

Each reply's facts (prices, sizes, stock, dates, payment methods) are checked against the store
database the servers use (``store_db_url``), not against strings copied from the sample data.
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
from tests.support.chat import say, texts
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def _sender() -> str:
    return f"catalog-{uuid.uuid4().hex[:10]}"


def _dollars(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b}"


def _payloads(replies: List[Dict[str, Any]]) -> List[str]:
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


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
    replies = say(stack, _sender(), '/shipping_info{"country":"Canada"}')
    answer = "\n".join(texts(replies))
    assert "Delivery to Canada:" in answer
    for option in options:
        assert f"{option.name} with {option.carrier}: {_dollars(option.price)}" in answer
    threshold = next(o.free_shipping_threshold for o in options if o.free_shipping_threshold)
    assert f"free on orders of {_dollars(threshold)} or more" in answer
    assert "/human_handoff" in _payloads(replies)


def test_shipping_asks_for_the_destination_and_refuses_one_we_do_not_serve(stack: Stack) -> None:
    sender = _sender()
    asked = texts(say(stack, sender, "/shipping_info"))
    assert asked and asked[0].startswith("Where should we deliver?") and "United States" in asked[0]
    refused = texts(say(stack, sender, '/inform{"country":"Japan"}'))
    assert refused and refused[0].startswith("Sorry, we don't deliver to Japan at the moment.")


def test_size_from_height_and_weight_matches_the_size_chart(stack: Stack, store_session) -> None:
    expected = recommend_size(store_session, product="zip-hoodie", height_cm=178, weight_kg=72)
    replies = say(stack, _sender(), '/size_help{"product":"Zip Hoodie","height":"178 cm","weight":"72 kg"}')
    answer = "\n".join(texts(replies))
    assert expected.size is not None
    assert f"For the {expected.product_title} I'd go with size {expected.size}" in answer
    assert str(expected.size_chart_url) in answer
    stock_line = (
        f"Size {expected.size} is in stock." if expected.in_stock else f"Size {expected.size} is sold out"
    )
    assert stock_line in answer


def test_a_sold_out_variant_offers_in_stock_alternatives(stack: Stack, store_session) -> None:
    stock = variant_stock(store_session, product="harbor-rain-shell", size="XL", color="Black")
    assert not stock.in_stock and stock.alternatives
    replies = say(
        stack, _sender(), '/product_stock{"product":"harbor-rain-shell","size":"XL","color":"Black"}'
    )
    answer = "\n".join(texts(replies))
    assert "the Harbor Rain Shell in XL / Black is sold out" in answer
    in_stock = {(a.handle, a.size, a.color) for a in stock.alternatives}
    offered = [p for p in _payloads(replies) if p.startswith("/product_stock")]
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
    asked = texts(say(stack, sender, "/discount_code"))
    assert asked and asked[0].startswith("Which discount code are you trying to use?")
    assert (
        texts(say(stack, sender, "SUMMER20"))[0]
        == f"SUMMER20 expired on {ended}, so it can no longer be used."
    )


def test_minimum_spend_uses_the_widget_cart(stack: Stack, store_session) -> None:
    cart = [{"sku": "KNT-014-CHA0-M", "quantity": 1, "price": "50.00"}]
    check = check_discount(
        store_session, code="TAKE15", cart=[CartLine("KNT-014-CHA0-M", 1, Decimal("50.00"))]
    )
    assert check.reason == "min_spend" and check.missing_spend is not None
    sender = _sender()
    say(stack, sender, "/discount_code", metadata={"cart": cart})
    answer = texts(say(stack, sender, "TAKE15", metadata={"cart": cart}))
    assert answer and f"add {_dollars(check.missing_spend)} more" in answer[0]


def test_payment_problem_lists_the_store_methods_and_offers_a_person(stack: Stack, store_session) -> None:
    info = store_info(store_session)
    replies = say(stack, _sender(), "/payment_problem")
    answer = "\n".join(texts(replies))
    assert f"We accept {', '.join(info.payment_methods)}." in answer
    assert "/human_handoff" in _payloads(replies)
