"""What a product costs: named, or the product on screen or talked about ("how much is it?")."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.product_questions import answer_price_question
from actions.store_access import query_store
from store.catalog import get_product
from store.money import format_price_range
from tests.actions.catalog_support import catalog_store, entity, make_tracker, said  # noqa: F401

pytestmark = pytest.mark.usefixtures("catalog_store")


async def _asked(text: str, **kwargs: Any) -> tuple:
    dispatcher = CollectingDispatcher()
    events = await answer_price_question(dispatcher, make_tracker(text=text, **kwargs))
    return events, said(dispatcher)


async def _price(handle: str) -> Dict[str, Any]:
    detail = await query_store(get_product, product=handle)
    return {"title": detail.title, "price": format_price_range(detail.price_from, detail.price_to, "USD")}


async def test_how_much_is_it_about_the_product_talked_about() -> None:
    events, messages = await _asked(
        "how much is it?", intent="nlu_fallback", slots={"product": "harbor-rain-shell"}
    )
    expected = await _price("harbor-rain-shell")
    assert [m["response"] for m in messages] == ["utter_product_price"]
    assert messages[0]["product"] == expected["title"] and messages[0]["price"] == expected["price"]
    assert events == [SlotSet("product", "harbor-rain-shell")]


async def test_the_price_of_a_product_named() -> None:
    text = "what's the price of the harbor rain shell"
    events, messages = await _asked(
        text, intent="product_search", entities=[entity("product", "harbor-rain-shell", 22, 39)]
    )
    assert [m["response"] for m in messages] == ["utter_product_price"]
    assert events == [SlotSet("product", "harbor-rain-shell")]


@pytest.mark.parametrize(
    "text",
    [
        "how much is shipping",  # shipping has its own flow
        "how much will I get refunded",
        "a jacket under 100",  # a budget, not a question about a price
        "how much is it",  # nothing talked about
    ],
)
async def test_other_questions_are_left_alone(text: str) -> None:
    events, messages = await _asked(text, intent="product_search")
    assert events is None and messages == []
