"""Questions naming two or three products are answered for each, side by side (issue #12, dialogue).

Runs action_product_search on the sample store (data/store/products.csv).
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import ActionProductSearch
from tests.actions.catalog_support import DOMAIN, catalog_store, entity, make_tracker, said  # noqa: F401

pytestmark = pytest.mark.usefixtures("catalog_store")


async def _search(text: str, *names: str, comparison: bool = True) -> List[Dict[str, Any]]:
    entities = [entity("product", name, text.index(name), text.index(name) + len(name)) for name in names]
    tracker = make_tracker(intent="product_search", text=text, entities=entities)
    dispatcher = CollectingDispatcher()
    events = await ActionProductSearch().run(dispatcher, tracker, DOMAIN)
    assert (events == []) is comparison  # a comparison remembers nothing; the finder its products
    return said(dispatcher)


SHOP = "https://shop.northwind-outfitters.example/products"


def stock_button(title: str, handle: str) -> Dict[str, str]:
    return {"title": title, "payload": f'/product_stock{{"product":"{handle}"}}'}


async def test_two_products_are_described_side_by_side_in_the_order_named() -> None:
    text = "which is better for rain, the Ridgeline Storm Hardshell or the Zip Hoodie?"
    assert await _search(text, "Ridgeline Storm Hardshell", "Zip Hoodie") == [
        {"response": "utter_product_compare_intro"},
        {
            "response": "utter_product_compare_item",
            "title": "Ridgeline Storm Hardshell",
            "price": "$136.95",
            "colors": "Forest Green, Rust, Charcoal",
            "sizes": "S, M, L, XL, XXL",
            "url": f"{SHOP}/ridgeline-storm-hardshell",
        },
        {"response": "utter_product_compare_fit_runs_small", "product": "Ridgeline Storm Hardshell"},
        {"response": "utter_product_compare_material", "material": "three-layer waterproof breathable shell"},
        {
            "response": "utter_product_compare_best_for",
            "best_for": "waterproof, windproof, breathable, hiking, mountain",
        },
        {
            "response": "utter_product_compare_item",
            "title": "Zip Hoodie",
            "price": "$86.00",
            "colors": "Charcoal, Navy, Oatmeal, Forest Green",
            "sizes": "S, M, L, XL, XXL",
            "url": f"{SHOP}/zip-hoodie",
        },
        {"response": "utter_product_compare_fit_true_to_size", "product": "Zip Hoodie"},
        {"response": "utter_product_compare_best_for", "best_for": "gym, layering, running"},  # no material
        {
            "response": "utter_product_results_next",
            "buttons": [
                stock_button("Ridgeline Storm Hardshell", "ridgeline-storm-hardshell"),
                stock_button("Zip Hoodie", "zip-hoodie"),
            ],
        },
    ]


async def test_at_most_three_products_are_compared() -> None:
    text = "Zip Hoodie vs Swim Trunks vs Board Shorts vs Ridgeline Fleece Jacket"
    names = ("Zip Hoodie", "Swim Trunks", "Board Shorts", "Ridgeline Fleece Jacket")
    items = [m["title"] for m in await _search(text, *names) if m["response"] == "utter_product_compare_item"]
    assert items == ["Zip Hoodie", "Swim Trunks", "Board Shorts"]


async def test_one_product_named_twice_is_a_search_not_a_comparison() -> None:
    text = "zip hoodie, the Zip Hoodie"
    messages = await _search(text, "zip hoodie", "Zip Hoodie", comparison=False)
    assert "utter_product_compare_intro" not in [m["response"] for m in messages]
    assert messages[0]["response"] == "utter_finder_intro" and messages[1]["title"] == "Zip Hoodie"
