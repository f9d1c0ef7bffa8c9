""" "Add it to my cart": the product meant, its variant in stock, or a choice of sizes or colors."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk.events import SlotSet

from actions.cart import ActionAddToCart, product_meant
from tests.actions.catalog_support import catalog_store, entity  # noqa: F401 (the fixture)
from tests.actions.order_support import make_tracker, run

pytestmark = pytest.mark.usefixtures("catalog_store")

SHOWN = {"latest_recommendations": ["harbor-rain-shell", "hooded-rain-parka", "fleece-hoodie"]}


def _asked(
    text: str, slots: Optional[Dict[str, Any]] = None, entities: Optional[List[Dict[str, Any]]] = None
):
    return make_tracker(slots=slots, text=text, intent="add_to_cart", entities=entities)


@pytest.mark.parametrize(
    ("text", "slots", "entities", "expected"),
    [
        ("add the first one to my cart", SHOWN, [], "harbor-rain-shell"),
        ("I'll take the last one", SHOWN, [], "fleece-hoodie"),
        ("add the Zip Hoodie", SHOWN, [entity("product", "Zip Hoodie")], "Zip Hoodie"),
        ("add it to my cart", SHOWN, [], None),  # three shown, none pointed at: ask
        ("add it to my cart", {"latest_recommendations": ["fleece-hoodie"]}, [], "fleece-hoodie"),
        ("add it to my cart", {"product": "Trail Runner"}, [], "Trail Runner"),  # the product talked about
    ],
)
def test_the_product_meant(text: str, slots: Dict[str, Any], entities: list, expected: Optional[str]) -> None:
    assert product_meant(_asked(text, slots, entities)) == expected


async def test_a_product_with_its_size_and_color_gets_its_cart_link() -> None:
    tracker = _asked("add the first one to my cart", {**SHOWN, "size": "M", "color": "Black"})
    events, said = await run(ActionAddToCart(), tracker)
    assert [m["response"] for m in said] == ["utter_cart_ready"]
    assert said[0]["title"] == "Harbor Rain Shell" and said[0]["variant"] == "M / Black"
    assert said[0]["price"] == "$159.00" and "/webhooks/storefront/cart-link?" in said[0]["cart_url"]
    assert events == [SlotSet("product", "harbor-rain-shell")]


async def test_without_a_size_the_sizes_in_stock_are_offered() -> None:
    _, said = await run(ActionAddToCart(), _asked("add the first one to my cart", SHOWN))
    assert [m["response"] for m in said] == ["utter_cart_ask_size"]
    assert [b["title"] for b in said[0]["buttons"]] == ["S", "M", "L", "XL", "XXL"]
    assert said[0]["buttons"][1]["payload"] == '/add_to_cart{"product":"harbor-rain-shell","size":"M"}'


async def test_with_several_shown_and_none_pointed_at_the_shopper_picks_one() -> None:
    _, said = await run(ActionAddToCart(), _asked("add it to my cart", SHOWN))
    assert [m["response"] for m in said] == ["utter_cart_which_product"]
    assert [b["title"] for b in said[0]["buttons"]] == [
        "Harbor Rain Shell",
        "Hooded Rain Parka",
        "Fleece Hoodie",
    ]
