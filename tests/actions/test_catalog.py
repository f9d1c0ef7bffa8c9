"""action_product_search, action_product_stock and validate_stock_form, on the sample store.

Prices, colors and stock are the sample catalog's (data/store/products.csv).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import ActionProductSearch, ActionProductStock, budget_from_text
from actions.catalog_forms import ValidateStockForm
from tests.actions.catalog_support import DOMAIN, catalog_store, entity, make_tracker, said  # noqa: F401
from tests.support.trackers import tracker_from_events

pytestmark = pytest.mark.usefixtures("catalog_store")

SHOP = "https://shop.northwind-outfitters.example/products"
CATEGORIES = [
    "Accessories",
    "Boots",
    "Dresses & Skirts",
    "Jackets & Coats",
    "Jeans & Trousers",
    "Knitwear",
    "Sandals",
    "Shirts",
    "Sneakers",
    "Swimwear",
    "Tops & Tees",
]
RESET = [SlotSet("size", None), SlotSet("color", None)]
PERSON = {"title": "Talk to a person", "payload": "/human_handoff"}


def stock_button(title: str, **entities: str) -> dict:
    import json

    return {"title": title, "payload": "/product_stock" + json.dumps(entities, separators=(",", ":"))}


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("tees under 30", None, "30"),
        ("something below $49.99", None, "49.99"),
        ("coats over 200", "200", None),
        ("a red dress", None, None),
    ],
)
def test_budget_from_text(text: str, low, high) -> None:
    budget = budget_from_text(text)
    found = (budget.min_price, budget.max_price) if budget else (None, None)
    assert found == (Decimal(low) if low else None, Decimal(high) if high else None)


async def test_a_category_button_searches_the_catalog_and_offers_stock_buttons() -> None:
    text = '/product_search{"category":"Knitwear","color":"Navy"}'
    tracker = make_tracker(
        intent="product_search", text=text, entities=[entity("category", "Knitwear"), entity("color", "Navy")]
    )
    dispatcher = CollectingDispatcher()
    events = await ActionProductSearch().run(dispatcher, tracker, DOMAIN)
    messages = said(dispatcher)
    hits = [m for m in messages if m["response"] == "utter_product_hit"]
    assert messages[0] == {"response": "utter_product_results"} and hits
    assert all("Navy" in m["colors"] for m in hits)
    assert messages[-1] == {
        "response": "utter_product_results_next",
        "buttons": [stock_button(m["title"], product=m["url"].rsplit("/", 1)[1]) for m in hits],
    }
    # the list is kept as the finder keeps its own: "the first one" and "show more" point into it
    handles = [m["url"].rsplit("/", 1)[1] for m in hits]
    assert events == [
        SlotSet("finder_need", "Knitwear Navy"), SlotSet("recommended_products", handles),
        SlotSet("latest_recommendations", handles),
        SlotSet("finder_filters", {"category": "Knitwear", "color": "Navy"}),
    ]  # fmt: skip


async def test_a_budget_number_is_not_taken_for_a_size() -> None:
    text = "show me tops under 30"
    tracker = make_tracker(
        intent="product_search",
        text=text,
        entities=[entity("category", "Tops & Tees", 8, 12), entity("size", "30", 19, 21)],
    )
    dispatcher = CollectingDispatcher()
    events = await ActionProductSearch().run(dispatcher, tracker, DOMAIN)
    picks = [m for m in said(dispatcher) if m["response"].startswith("utter_finder_pick")]
    assert len(picks) == 3 and all(Decimal(m["price"].lstrip("$")) <= 30 for m in picks)
    assert SlotSet("finder_filters", {"category": "Tops & Tees"}) in events


async def test_nothing_matching_every_filter_shows_the_closest() -> None:
    tracker = make_tracker(
        intent="product_search",
        text="magenta tops",
        entities=[entity("color", "Magenta", 0, 7), entity("category", "Tops & Tees", 8, 12)],
    )
    dispatcher = CollectingDispatcher()
    await ActionProductSearch().run(dispatcher, tracker, DOMAIN)
    messages = said(dispatcher)
    assert messages[0] == {"response": "utter_product_results_relaxed"}
    assert [m["response"] for m in messages[1:]] == ["utter_product_hit"] * 3 + ["utter_product_results_next"]


async def test_no_match_at_all_offers_the_categories() -> None:
    tracker = make_tracker(
        intent="product_search", text="zebra onesie", entities=[entity("product", "zebra", 0, 5)]
    )
    dispatcher = CollectingDispatcher()
    await ActionProductSearch().run(dispatcher, tracker, DOMAIN)
    buttons = [{"title": c, "payload": f'/product_search{{"category":"{c}"}}'} for c in CATEGORIES]
    assert said(dispatcher) == [{"response": "utter_product_no_results", "buttons": buttons}]


async def test_a_search_without_any_filter_asks_what_to_look_for() -> None:
    dispatcher = CollectingDispatcher()
    await ActionProductSearch().run(
        dispatcher, make_tracker(intent="product_search", text="can you help me find something"), DOMAIN
    )
    assert [m["response"] for m in said(dispatcher)] == ["utter_product_search_ask"]
    assert len(said(dispatcher)[0]["buttons"]) == len(CATEGORIES)


async def test_in_stock_in_the_size_and_color_asked() -> None:
    tracker = make_tracker(slots={"product": "harbor-rain-shell", "size": "M", "color": "Black"})
    dispatcher = CollectingDispatcher()
    events = await ActionProductStock().run(dispatcher, tracker, DOMAIN)
    assert events == RESET
    assert said(dispatcher) == [
        {
            "response": "utter_stock_in_stock",
            "product": "Harbor Rain Shell",
            "variant": "M / Black",
            "quantity": 2,
        }
    ]


async def test_sold_out_offers_the_nearest_sizes_first() -> None:
    tracker = make_tracker(slots={"product": "harbor-rain-shell", "size": "XL", "color": "Black"})
    dispatcher = CollectingDispatcher()
    events = await ActionProductStock().run(dispatcher, tracker, DOMAIN)
    assert events == RESET
    assert said(dispatcher) == [
        {"response": "utter_stock_sold_out", "product": "Harbor Rain Shell", "variant": "XL / Black"},
        {
            "response": "utter_stock_alternative",
            "product": "Harbor Rain Shell",
            "variant": "L / Black",
            "buttons": [
                stock_button(
                    "Harbor Rain Shell: L / Black", product="harbor-rain-shell", size="L", color="Black"
                ),
                stock_button(
                    "Harbor Rain Shell: XXL / Black", product="harbor-rain-shell", size="XXL", color="Black"
                ),
                stock_button(
                    "Harbor Rain Shell: M / Black", product="harbor-rain-shell", size="M", color="Black"
                ),
            ],
        },
        {
            "response": "utter_back_in_stock_offer",
            "subscribe_payload": '/product_stock{"product":"harbor-rain-shell","size":"XL","color":"Black",'
            '"stock_alert":"subscribe"}',
        },
    ]


async def test_a_size_sold_out_in_every_color_offers_similar_products() -> None:
    tracker = make_tracker(slots={"product": "waffle-knit-henley", "size": "L"})
    dispatcher = CollectingDispatcher()
    await ActionProductStock().run(dispatcher, tracker, DOMAIN)
    messages = said(dispatcher)
    assert messages[0] == {
        "response": "utter_stock_sold_out",
        "product": "Waffle Knit Henley",
        "variant": "L",
    }
    assert messages[1]["response"] == "utter_stock_alternative"
    assert (messages[1]["product"], messages[1]["variant"]) == ("Essential Crew Tee", "L / Heather Grey")
    assert [b["title"] for b in messages[1]["buttons"]] == [
        "Essential Crew Tee: L / Heather Grey",
        "Pocket Tee: L / Navy",
        "Heavyweight Tee: L / Heather Grey",
    ]


async def test_a_size_the_product_never_comes_in() -> None:
    tracker = make_tracker(slots={"product": "harbor-rain-shell", "size": "XS"})
    dispatcher = CollectingDispatcher()
    await ActionProductStock().run(dispatcher, tracker, DOMAIN)
    assert said(dispatcher) == [
        {
            "response": "utter_stock_not_offered",
            "product": "Harbor Rain Shell",
            "variant": "XS",
            "sizes": "S, M, L, XL, XXL",
            "colors": "Black, Rust",
        },
        {"response": "utter_stock_no_alternative"},
    ]


async def test_without_size_or_color_it_lists_what_is_in_stock() -> None:
    tracker = make_tracker(slots={"product": "harbor-rain-shell"})
    dispatcher = CollectingDispatcher()
    await ActionProductStock().run(dispatcher, tracker, DOMAIN)
    assert said(dispatcher) == [
        {
            "response": "utter_stock_overview",
            "product": "Harbor Rain Shell",
            "sizes": "S, M, L, XL, XXL",
            "colors": "Black, Rust",
        }
    ]


async def test_validate_stock_form_product_from_a_name() -> None:
    tracker = make_tracker(
        intent="product_stock",
        text="is the harbor rain shell in stock",
        entities=[entity("product", "Harbor Rain Shell", 7, 24)],
        set_this_turn={"product": "Harbor Rain Shell"},
    )
    events = await ValidateStockForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events == [SlotSet("product", "harbor-rain-shell")]


async def test_a_stock_question_naming_only_a_kind_of_product_is_a_search() -> None:
    """ "do u have any dresses in red size s under 100": products, not one product's stock."""
    text = "do u have any dresses in red size s under 100"
    tracker = make_tracker(
        intent="product_stock", text=text,
        entities=[entity("category", "Dresses & Skirts", 13, 20), entity("color", "Red", 24, 27)],
    )  # fmt: skip
    events = await ValidateStockForm().run(CollectingDispatcher(), tracker, DOMAIN)
    search = FollowupAction("action_product_search")
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None), search]


async def test_a_kind_the_product_talked_about_is_in_stays_a_stock_question() -> None:
    """ "do you have the boots in black" about the Chelsea Boot: its stock."""
    tracker = make_tracker(
        intent="product_stock", text="do you have the boots in black", slots={"product": "chelsea-boot"},
        entities=[entity("category", "Boots", 16, 21), entity("color", "Black", 25, 30)],
    )  # fmt: skip
    events = await ValidateStockForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert FollowupAction("action_product_search") not in events


async def test_validate_stock_form_unknown_product_is_asked_again() -> None:
    tracker = make_tracker(intent="inform", text="the zebra onesie", slots={"requested_slot": "product"})
    dispatcher = CollectingDispatcher()
    events = await ValidateStockForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("product", None)]
    assert said(dispatcher) == [{"response": "utter_product_not_found", "product": "the zebra onesie"}]


async def test_validate_stock_form_ignores_a_digression() -> None:
    tracker = make_tracker(
        intent="shipping_info", text="how much is shipping", slots={"requested_slot": "product"}
    )
    assert await ValidateStockForm().run(CollectingDispatcher(), tracker, DOMAIN) == []


async def test_a_search_during_a_store_outage_apologises(store_down: None) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        intent="product_search", text="boots", entities=[entity("category", "Boots", 0, 5)]
    )
    events = await ActionProductSearch().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("handoff_reason", "action_failed")]
    assert said(dispatcher) == [{"response": "utter_store_unavailable"}]


async def test_a_follow_up_naming_a_color_asks_for_it_in_the_size_just_asked() -> None:
    """ "and in black?" after the Chelsea Boot in size 10 answers for a black 10, not any black one."""
    boot = {"product": "chelsea-boot"}
    events = [
        {"event": "user", "text": "do you have the chelsea boot in size 10",
         "parse_data": {"entities": [{"entity": "product", "value": "chelsea boot"}]}},
        {"event": "slot", "name": "product", "value": "chelsea-boot"},
        {"event": "slot", "name": "size", "value": "10"},
        {"event": "action", "name": "action_product_stock"},
        {"event": "bot", "metadata": {"utter_action": "utter_stock_in_stock"}},
        *({"event": "slot", "name": slot, "value": None} for slot in ("size", "color")),
        {"event": "user", "text": "and in black?",
         "parse_data": {"text": "and in black?", "entities": [{"entity": "color", "value": "Black"}]}},
        {"event": "slot", "name": "color", "value": "Black"},
    ]  # fmt: skip
    tracker = tracker_from_events(events, slots={**boot, "color": "Black"})
    dispatcher = CollectingDispatcher()
    await ActionProductStock().run(dispatcher, tracker, DOMAIN)
    assert [m.get("variant") for m in said(dispatcher)] == ["10 / Black"]
