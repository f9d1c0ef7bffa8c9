"""Complete the look in action_product_search: the look button, "what goes with it?" on a product
page or after a recommendation, and a product nothing is bought with (sample store)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import ActionProductSearch
from store.cart_links import read_link
from tests.actions.catalog_support import DOMAIN, catalog_store, entity, make_tracker, said  # noqa: F401
from tests.conftest import TEST_CART_LINK_SECRET

pytestmark = pytest.mark.usefixtures("catalog_store")
PAGE = {"page": {"product": "harbor-rain-shell"}}


async def _search(text: str, entities=(), metadata=None, slots=None) -> list:
    tracker = make_tracker(intent="product_search", text=text, entities=list(entities), metadata=metadata,
                           slots=slots)  # fmt: skip
    dispatcher = CollectingDispatcher()
    assert await ActionProductSearch().run(dispatcher, tracker, DOMAIN) == []
    return said(dispatcher)


def _titles(messages: list) -> list:
    return [m["title"] for m in messages if m["response"] == "utter_look_item"]


async def test_what_goes_with_it_on_a_product_page_answers_for_that_product() -> None:
    messages = await _search("what goes with it?", metadata=PAGE)
    assert messages[0] == {"response": "utter_look_intro", "product": "Harbor Rain Shell"}
    assert {"Ripstop Hiking Pants", "Wool Hiking Socks"} & set(_titles(messages))
    for item in messages[1:]:
        link = read_link(TEST_CART_LINK_SECRET, dict(parse_qsl(urlsplit(item["cart_url"]).query)))
        assert item["url"].endswith(f"/products/{link.handle}") and link.conversation_id == "shopper-1"


async def test_the_look_button_names_its_product() -> None:
    payload = [entity("product", "runner-one"), entity("look", "complete")]
    messages = await _search('/product_search{"product":"runner-one","look":"complete"}', payload)
    assert messages[0] == {"response": "utter_look_intro", "product": "Runner One"}
    assert {"Performance Run Tee", "Crew Socks 3-Pack"} & set(_titles(messages))


async def test_after_a_recommendation_it_is_the_first_product_shown() -> None:
    messages = await _search("what can i wear with that", slots={"latest_recommendations": ["swim-trunks"]})
    assert messages[0] == {"response": "utter_look_intro", "product": "Swim Trunks"}


async def test_a_product_nothing_is_bought_with_says_so() -> None:
    messages = await _search(
        "what goes with the Varsity Jacket", [entity("product", "Varsity Jacket", 20, 34)]
    )
    assert messages == [
        {"response": "utter_look_none", "product": "Varsity Jacket"},
    ]


async def test_without_any_product_it_asks_which() -> None:
    assert await _search("what goes with it?") == [{"response": "utter_look_which_product"}]
