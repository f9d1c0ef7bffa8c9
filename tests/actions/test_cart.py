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


def _after_the_list(*events: Dict[str, Any]):
    """A tracker whose events show three products, then ``events``, then "add it to my cart"."""
    tracker = _asked("add it to my cart in medium", {**SHOWN, "size": "M"}, [entity("size", "M")])
    shown = {"event": "slot", "name": "latest_recommendations", "value": SHOWN["latest_recommendations"]}
    tracker.events = [shown, *events, *tracker.events]
    return tracker


def test_the_product_talked_about_after_the_list_is_the_one_meant() -> None:
    """ "does it come in navy?" about the parka, then "add it to my cart": the parka, not "which one?"."""
    parka = {"event": "slot", "name": "product", "value": "hooded-rain-parka"}
    assert product_meant(_after_the_list(parka)) == "hooded-rain-parka"


def test_a_product_talked_about_before_the_list_is_not() -> None:
    tracker = _after_the_list()
    tracker.events.insert(0, {"event": "slot", "name": "product", "value": "trail-runner"})
    assert product_meant(tracker) is None  # three shown since: ask which


@pytest.mark.parametrize("text", ["how much is the first one", "whats the price of the second one?"])
async def test_a_price_question_pointing_at_a_product_shown_gets_its_price(text: str) -> None:
    """Read as add_to_cart by the classifier; a price question all the same."""
    _, said = await run(ActionAddToCart(), _asked(text, SHOWN))
    assert [m["response"] for m in said] == ["utter_product_price"]
    assert said[0]["product"] in ("Harbor Rain Shell", "Hooded Rain Parka")


async def test_the_colour_of_the_stock_question_just_answered_goes_in_the_cart() -> None:
    """ "does it come in navy?" -> in stock -> "add it to my cart in medium": the navy M."""
    asked = {"event": "user", "text": "does it come in navy", "parse_data": {"entities": []}}
    answer = [
        {"event": "slot", "name": "product", "value": "hooded-rain-parka"},
        {"event": "slot", "name": "color", "value": "Navy"},
        {"event": "action", "name": "action_product_stock"},
        {"event": "bot", "metadata": {"utter_action": "utter_stock_in_stock"}},
        {"event": "slot", "name": "color", "value": None},
    ]
    tracker = _after_the_list(asked, *answer)
    tracker.slots["product"] = "hooded-rain-parka"
    _, said = await run(ActionAddToCart(), tracker)
    assert [m["response"] for m in said] == ["utter_cart_ready"]
    assert said[0]["title"] == "Hooded Rain Parka" and said[0]["variant"] == "M / Navy"
