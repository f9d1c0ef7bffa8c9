"""The product finder in action_product_search, "show more" and "compare these", on the sample store."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import ActionProductSearch
from actions.finder import ActionFinderCompare, ActionFinderMore
from tests.actions.catalog_support import DOMAIN, catalog_store, entity, make_tracker, said  # noqa: F401

pytestmark = pytest.mark.usefixtures("catalog_store")

PICKS = {"utter_finder_pick_because", "utter_finder_pick_material", "utter_finder_pick"}


def slots_set(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def search(text: str, entities=()) -> tuple[list, dict]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="product_search", text=text, entities=list(entities))
    events = await ActionProductSearch().run(dispatcher, tracker, DOMAIN)
    return said(dispatcher), slots_set(events)


async def test_a_need_gets_products_in_budget_each_with_why_then_the_next_steps() -> None:
    messages, slots = await search("a warm jacket for winter walks, under $250")
    responses = [m["response"] for m in messages]
    assert responses[0] == "utter_finder_intro" and responses[-1] == "utter_finder_next"
    picks = messages[1:-1]
    assert 2 <= len(picks) <= 3 and {m["response"] for m in picks} <= PICKS
    assert picks[0]["title"] == "Summit Insulated Parka"
    assert picks[0]["response"] == "utter_finder_pick_because" and "insulated" in picks[0]["reasons"]
    assert all(Decimal(m["price"].lstrip("$").replace(",", "")) <= 250 for m in picks)
    assert slots["finder_need"] == "a warm jacket for winter walks, under $250"
    assert slots["recommended_products"] == slots["latest_recommendations"]
    assert len(slots["latest_recommendations"]) == len(picks) and slots["finder_filters"] is None


async def test_the_colour_and_category_named_filter_the_products() -> None:
    entities = [entity("color", "Navy", 0, 4), entity("category", "Knitwear", 5, 13)]
    messages, slots = await search("navy knitwear under 100", entities)
    picks = [m for m in messages if m["response"] in PICKS]
    assert picks and slots["finder_filters"] == {"color": "Navy", "category": "Knitwear"}
    assert all(Decimal(m["price"].lstrip("$")) <= 100 for m in picks)


async def test_show_more_never_repeats_a_product_and_keeps_the_need() -> None:
    _, first = await search("something for a beach holiday")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="show_more", text="/show_more", slots=first)
    more = slots_set(await ActionFinderMore().run(dispatcher, tracker, DOMAIN))
    assert more["latest_recommendations"] and not set(more["latest_recommendations"]) & set(
        first["recommended_products"]
    )
    assert more["recommended_products"] == first["recommended_products"] + more["latest_recommendations"]
    assert said(dispatcher)[0] == {"response": "utter_finder_intro"}


async def test_show_more_when_everything_was_shown_offers_a_person() -> None:
    _, first = await search("a merino base layer for running in the cold")
    slots = dict(first)
    for _ in range(20):  # the sample catalog runs out well before
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(intent="show_more", text="/show_more", slots=slots)
        events = await ActionFinderMore().run(dispatcher, tracker, DOMAIN)
        if not events:
            break
        slots.update(slots_set(events))
    assert [m["response"] for m in said(dispatcher)] == ["utter_finder_no_more"]


async def test_compare_these_compares_the_latest_recommendations_in_order() -> None:
    _, first = await search("a rain jacket")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="compare_these", text="these two", slots=first)
    await ActionFinderCompare().run(dispatcher, tracker, DOMAIN)
    messages = said(dispatcher)
    assert messages[0] == {"response": "utter_product_compare_intro"}
    compared = [m["title"] for m in messages if m["response"].startswith("utter_product_compare_item")]
    assert len(compared) == len(first["latest_recommendations"]) >= 2
    assert compared[:2] == ["Hooded Rain Parka", "Harbor Rain Shell"]
    assert messages[-1]["response"] == "utter_product_results_next"


async def test_compare_these_before_any_recommendation_asks_which() -> None:
    dispatcher = CollectingDispatcher()
    await ActionFinderCompare().run(
        dispatcher, make_tracker(intent="compare_these", text="compare these"), DOMAIN
    )
    assert [m["response"] for m in said(dispatcher)] == ["utter_finder_compare_what"]


async def test_a_need_nothing_in_stock_fits_offers_categories_and_a_person() -> None:
    messages, slots = await search("a quantum flux capacitor")
    assert [m["response"] for m in messages] == ["utter_product_no_results"] and not slots


async def test_every_product_shown_is_recorded_for_the_conversation_in_order(order_store: str) -> None:
    from store.db import make_engine, session_scope
    from store.recommendation_log import shown_in

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="product_search", text="something for a beach holiday")
    tracker.sender_id = "finder-record-test"  # other tests' conversations share make_tracker's id
    first = slots_set(await ActionProductSearch().run(dispatcher, tracker, DOMAIN))
    more_tracker = make_tracker(intent="show_more", text="/show_more", slots=first)
    more_tracker.sender_id = tracker.sender_id
    more = slots_set(await ActionFinderMore().run(dispatcher, more_tracker, DOMAIN))
    engine = make_engine(order_store)
    with session_scope(engine) as session:
        rows = shown_in(session, tracker.sender_id)
        assert [r.handle for r in rows] == more["recommended_products"]
        assert [r.position for r in rows] == list(range(1, len(rows) + 1))
        assert {r.need for r in rows} == {"something for a beach holiday"}
    engine.dispose()
