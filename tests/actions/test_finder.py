"""The product finder in action_product_search, "show more" and "compare these", on the sample store."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import ActionProductSearch
from actions.finder import refined_need
from actions.finder_steps import ActionFinderCompare, ActionFinderMore
from actions.gifts import utter_gift_next
from actions.store_access import query_store
from store.cart_links import read_link
from store.gifts import GiftOptions
from store.recommend import recommend
from tests.actions.catalog_support import DOMAIN, catalog_store, entity, make_tracker, said  # noqa: F401
from tests.actions.conftest import ASSISTANT_URL
from tests.conftest import TEST_CART_LINK_SECRET
from tests.support.trackers import tracker_from_events

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
    assert responses[0] == "utter_finder_intro" and responses[-2:] == [
        "utter_finder_next",
        "utter_look_offer",
    ]
    picks = messages[1:-2]
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


async def test_a_price_question_read_as_compare_these_gets_the_price() -> None:
    """ "what does the second one cost" is read as compare_these; it asks one product's price."""
    _, first = await search("a rain jacket")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="compare_these", text="what does the second one cost", slots=first)
    await ActionFinderCompare().run(dispatcher, tracker, DOMAIN)
    assert [(m["response"], m["product"]) for m in said(dispatcher)] == [
        ("utter_product_price", "Harbor Rain Shell")
    ]


async def test_compare_these_before_any_recommendation_asks_which() -> None:
    dispatcher = CollectingDispatcher()
    await ActionFinderCompare().run(
        dispatcher, make_tracker(intent="compare_these", text="compare these"), DOMAIN
    )
    assert [m["response"] for m in said(dispatcher)] == ["utter_finder_compare_what"]


def _title(session, handle: str) -> str:
    from store.models import Product

    return session.query(Product).filter_by(handle=handle).one().title


@pytest.mark.parametrize(
    ("action", "intent", "text", "position"),
    [
        (ActionProductSearch, "inform", "the second one", 1),
        (ActionProductSearch, "product_search", "ok what about the last one", -1),
        (ActionFinderMore, "show_more", "tell me more about the second one", 1),
        (ActionFinderCompare, "compare_these", "what about the first one", 0),
    ],
)
async def test_a_product_pointed_at_by_position_is_answered_for(action, intent, text, position) -> None:
    _, first = await search("a rain jacket")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent=intent, text=text, slots=first)
    events = await action().run(dispatcher, tracker, DOMAIN)
    handle = first["latest_recommendations"][position]
    assert slots_set(events) == {"product": handle, "size": None, "color": None}  # the stock answer's
    answer = said(dispatcher)
    assert answer[0]["response"] == "utter_stock_overview"
    assert answer[0]["product"] == await query_store(_title, handle=handle)


@pytest.mark.parametrize(
    "text",
    [
        "compare the first two",  # two products: the comparison
        "the first one but under 50 dollars",  # a budget: a new need
        "i'd like something like the second one but warmer and with a hood for cycling",  # long
    ],
)
async def test_two_products_a_budget_or_a_long_message_are_no_pointer(text: str) -> None:
    _, first = await search("a rain jacket")
    tracker = make_tracker(intent="inform", text=text, slots=first)
    dispatcher = CollectingDispatcher()
    events = await ActionProductSearch().run(dispatcher, tracker, DOMAIN)
    assert "product" not in slots_set(events)
    assert "utter_stock_overview" not in [m["response"] for m in said(dispatcher)]


async def test_a_position_without_recommendations_points_at_nothing() -> None:
    events = await ActionProductSearch().run(
        CollectingDispatcher(), make_tracker(intent="inform", text="the second one"), DOMAIN
    )
    assert "product" not in slots_set(events)


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


async def test_each_pick_carries_a_signed_add_to_cart_link_for_its_variant_and_conversation() -> None:
    messages, _ = await search("a rain jacket")
    picks = [m for m in messages if m["response"] in PICKS]
    for pick in picks:
        url = urlsplit(pick["cart_url"])
        assert (
            f"{url.scheme}://{url.netloc}" == ASSISTANT_URL and url.path == "/webhooks/storefront/cart-link"
        )
        link = read_link(TEST_CART_LINK_SECRET, dict(parse_qsl(url.query)))
        assert link.conversation_id == "shopper-1" and link.quantity == 1
        assert link.permalink().startswith("/cart/") and pick["url"].endswith(f"/products/{link.handle}")


async def test_the_look_is_offered_after_the_recommendation_for_the_products_it_exists_for() -> None:
    messages, slots = await search("a rain jacket")
    offer = messages[-1]
    assert offer["response"] == "utter_look_offer"
    shown = slots["latest_recommendations"]
    # the Harbor Rain Shell is bought with hiking pants and socks; the Hooded Rain Parka with nothing
    assert {"harbor-rain-shell", "hooded-rain-parka"} <= set(shown)
    offered = [json.loads(b["payload"][len("/product_search") :]) for b in offer["buttons"]]
    assert all(o["look"] == "complete" and o["product"] in shown for o in offered)
    assert "harbor-rain-shell" in [o["product"] for o in offered]
    assert "hooded-rain-parka" not in [o["product"] for o in offered]


async def test_a_gift_gets_the_gift_steps_note_receipt_and_gift_returns_never_a_size_question() -> None:
    messages, _ = await search("a present for my brother who cycles")
    responses = [m["response"] for m in messages]
    assert "utter_finder_next" not in responses
    gift_next = next(r for r in responses if r.startswith("utter_finder_gift_next"))
    assert responses[responses.index(gift_next) + 1 :][:3] == [
        "utter_gift_note_offer", "utter_gift_receipt", "utter_gift_returns_store_credit"
    ]  # fmt: skip
    note = next(m for m in messages if m["response"] == "utter_gift_note_offer")
    returns = next(m for m in messages if m["response"] == "utter_gift_returns_store_credit")
    assert note["max_chars"] == 200 and returns["days"] == 30  # data/store/store.yaml, returns.yaml
    assert not any(r.startswith("utter_ask") for r in responses)


async def test_a_gift_of_one_size_products_offers_no_size_help() -> None:
    bags = await query_store(recommend, need="a gift for my dad, a bag", limit=2)
    assert [r.sizes_in_stock for r in bags] == [("One Size",), ("One Size",)]
    dispatcher = CollectingDispatcher()
    options = GiftOptions(gift_note=False, gift_note_max_chars=0, gift_receipt=False,
                          recipient_refund="buyer_refund", return_window_days=None)  # fmt: skip
    utter_gift_next(dispatcher, bags, options)
    assert said(dispatcher) == [{"response": "utter_finder_gift_next"}]


async def test_a_gift_of_sized_products_offers_help_with_their_size() -> None:
    messages, _ = await search("a gift for my sister who does yoga")
    assert "utter_finder_gift_next_sized" in [m["response"] for m in messages]


# -- a message that only narrows the need ----------------------------------------------------------

HIKING_GIFT = "i need a gift for my dad who loves hiking"


async def test_a_budget_alone_narrows_the_need_just_answered() -> None:
    """ "something under 100" after the hiking gift: hiking gifts under 100, not any bestseller."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="inform", text="something under 100", slots={"finder_need": HIKING_GIFT})
    slots = slots_set(await ActionProductSearch().run(dispatcher, tracker, DOMAIN))
    picks = [m for m in said(dispatcher) if m["response"] in PICKS]
    assert picks and all(Decimal(m["price"].lstrip("$")) <= 100 for m in picks)
    assert all("hiking" in m.get("reasons", "") or "gift" in m.get("reasons", "") for m in picks), picks
    assert slots["finder_need"] == f"{HIKING_GIFT} something under 100"  # "show more" keeps it all


@pytest.mark.parametrize(
    "earlier, text, entities, need",
    [
        ("warm jacket under 250", "ok but under 150", [], "warm jacket ok but under 150"),
        ("warm jacket", "any in red?", [entity("color", "Red", 7, 10)], "warm jacket any in red?"),
        ("a rain jacket", "what about in a medium", [entity("size", "M", 16, 22)],
         "a rain jacket what about in a medium"),
    ],
)  # fmt: skip
def test_what_only_narrows_the_need_is_added_to_it(earlier, text, entities, need) -> None:
    tracker = make_tracker(text=text, entities=entities, slots={"finder_need": earlier})
    assert refined_need(tracker, text) == need


@pytest.mark.parametrize(
    "text, entities",
    [
        ("boots under 100", [entity("category", "Boots", 0, 5)]),  # a kind of its own
        ("something for my sister under 50", []),  # someone else
        ("do you ship to canada", []),  # no budget, colour or size
        ("/show_more", []),
    ],
)
def test_a_need_of_its_own_is_not_a_refinement(text: str, entities) -> None:
    tracker = make_tracker(text=text, entities=entities, slots={"finder_need": "warm jacket"})
    assert refined_need(tracker, text) is None


def test_nothing_to_narrow_without_an_earlier_need() -> None:
    assert refined_need(make_tracker(text="under 100"), "under 100") is None


def _right_after_products(text: str, entities=()) -> object:
    """A tracker where the finder has just shown products for "i need a jacket", then ``text``."""
    events = [
        {"event": "user", "text": "i need a jacket", "parse_data": {"entities": []}},
        {"event": "bot", "text": "These fit", "metadata": {"utter_action": "utter_finder_intro"}},
        {"event": "user", "text": text, "parse_data": {"text": text, "entities": list(entities)}},
    ]
    return tracker_from_events(events, slots={"finder_need": "i need a jacket"})


@pytest.mark.parametrize(
    "text, need",
    [("for hiking", "i need a jacket for hiking"), ("for my sister", "i need a jacket for my sister"),
     ("waterproof ones?", "i need a jacket waterproof ones?")],
)  # fmt: skip
def test_a_few_words_right_after_the_products_narrow_them(text: str, need: str) -> None:
    assert refined_need(_right_after_products(text), text, words_too=True) == need


@pytest.mark.parametrize(
    "text", ["hiking boots", "something for hiking and camping in the mountains this summer"]
)
def test_a_kind_of_product_or_a_long_message_is_a_need_of_its_own(text: str) -> None:
    assert refined_need(_right_after_products(text), text, words_too=True) is None


def test_words_narrow_only_right_after_the_products() -> None:
    tracker = make_tracker(text="for hiking", slots={"finder_need": "i need a jacket"})
    assert refined_need(tracker, "for hiking", words_too=True) is None
    assert refined_need(_right_after_products("for hiking"), "for hiking") is None  # budgets etc. only


async def test_for_hiking_after_jackets_recommends_hiking_jackets() -> None:
    dispatcher = CollectingDispatcher()
    tracker = _right_after_products("for hiking")
    slots = slots_set(await ActionProductSearch().run(dispatcher, tracker, DOMAIN))
    assert slots["finder_need"] == "i need a jacket for hiking"
    picks = [m for m in said(dispatcher) if m["response"] in PICKS]
    titles = [m["title"] for m in picks]
    assert titles and all("hiking" in m.get("reasons", "") for m in picks), picks
    assert titles == ["Ridgeline Fleece Jacket", "Lightweight Softshell", "Ridgeline Packable Anorak"]


async def test_anything_cheaper_right_after_the_products_is_below_the_cheapest_shown() -> None:
    _, first = await search("a warm jacket for winter walks")
    shown = first["latest_recommendations"]
    cheapest = min(
        Decimal(m["price"].lstrip("$").replace(",", ""))
        for m in (await search("a warm jacket for winter walks"))[0]
        if m["response"] in PICKS
    )
    events = [
        {"event": "user", "text": "a warm jacket for winter walks", "parse_data": {"entities": []}},
        {"event": "bot", "text": "These fit", "metadata": {"utter_action": "utter_finder_intro"}},
        {
            "event": "user",
            "text": "anything cheaper?",
            "parse_data": {"text": "anything cheaper?", "entities": []},
        },
    ]
    tracker = tracker_from_events(events, slots={**first, "latest_recommendations": shown})
    dispatcher = CollectingDispatcher()
    slots = slots_set(await ActionProductSearch().run(dispatcher, tracker, DOMAIN))
    picks = [m for m in said(dispatcher) if m["response"] in PICKS]
    assert picks and all(Decimal(m["price"].lstrip("$").replace(",", "")) < cheapest for m in picks), picks
    assert slots["finder_need"].startswith("a warm jacket for winter walks anything cheaper?")
