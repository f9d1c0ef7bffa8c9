"""action_storefront_fallback: rephrase with the likeliest topics first, a person on the second miss."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Iterator

import pytest
from rasa_sdk.events import ConversationPaused, FollowupAction, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import VOCABULARY_KEY, ActionStorefrontFallback, previous_user_intent, topic_buttons
from core.clock import pinned
from store.db import session_scope
from store.handoffs import list_handoffs
from tests.actions.catalog_support import catalog_store  # noqa: F401 (the fixture)
from tests.handoff.support import DOMAIN, bot, private_store, said, tracker_from_events, user

__all__ = ["private_store"]
pytestmark = pytest.mark.usefixtures("private_store")

RANKING = [
    {"name": "nlu_fallback", "confidence": 0.5},
    {"name": "order_status", "confidence": 0.31},
    {"name": "greet", "confidence": 0.2},
    {"name": "shipping_info", "confidence": 0.19},
    {"name": "cancel_order", "confidence": 0.1},
    {"name": "return_policy", "confidence": 0.05},
]


@pytest.fixture(autouse=True)
def office_hours(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HANDOFF_HOURS_OVERRIDE", "")
    with pinned(datetime(2026, 6, 9, 14, 0, tzinfo=timezone.utc)):  # a Tuesday afternoon in New York
        yield


async def test_first_miss_offers_the_three_likeliest_topics() -> None:
    tracker = tracker_from_events(
        [user("hi", "greet"), bot("Hi!"), user("blorp the wuzzle", "nlu_fallback", 0.5, ranking=RANKING)]
    )
    dispatcher = CollectingDispatcher()
    events = await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN)
    assert events == []
    assert said(dispatcher) == [
        {
            "response": "utter_fallback_rephrase",
            "buttons": [
                {"title": "Track my order", "payload": "/order_status"},
                {"title": "Shipping and delivery", "payload": "/shipping_info"},
                {"title": "Cancel an order", "payload": "/cancel_order"},
            ],
        }
    ]


async def test_second_miss_in_a_row_hands_off_with_the_reason() -> None:
    tracker = tracker_from_events(
        [
            user("blorp", "nlu_fallback", 0.4, ranking=RANKING),
            bot("Sorry, I didn't quite get that."),
            user("wuzzle blorp", "nlu_fallback", 0.42, ranking=RANKING),
        ]
    )
    dispatcher = CollectingDispatcher()
    events = await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in said(dispatcher)] == ["utter_fallback_handing_off", "utter_handoff_queued"]
    assert events[-1] == ConversationPaused()
    with session_scope() as session:
        (record,) = list_handoffs(session)
    assert record.reason == "nlu_fallback"
    assert [t["intent"] for t in record.context["transcript"] if t["sender"] == "shopper"] == [
        "nlu_fallback",
        "nlu_fallback",
    ]


async def test_a_clear_message_in_between_starts_counting_again() -> None:
    tracker = tracker_from_events(
        [
            user("blorp", "nlu_fallback", ranking=RANKING),
            bot("Sorry?"),
            user("where is my order", "order_status"),
            bot("Your order number?"),
            user("wuzzle", "nlu_fallback", ranking=RANKING),
        ]
    )
    dispatcher = CollectingDispatcher()
    await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN)
    assert said(dispatcher)[0]["response"] == "utter_fallback_rephrase"


def test_a_handback_resets_the_count() -> None:
    events = [user("blorp", "nlu_fallback"), {"event": "resume"}, user("wuzzle", "nlu_fallback")]
    assert previous_user_intent(tracker_from_events(events)) is None
    assert (
        previous_user_intent(tracker_from_events([user("blorp", "nlu_fallback"), user("x", "nlu_fallback")]))
        == "nlu_fallback"
    )


def test_topics_without_a_title_are_skipped_and_at_most_three_are_offered() -> None:
    tracker = tracker_from_events([user("?", "nlu_fallback", ranking=[{"name": "greet", "confidence": 0.9}])])
    assert topic_buttons(tracker, DOMAIN) == []
    assert (
        len(topic_buttons(tracker_from_events([user("?", "nlu_fallback", ranking=RANKING)]), DOMAIN, limit=2))
        == 2
    )


# -- @dialogue: out-of-scope gibberish counts on the ladder (issue #12) ------------------------------


async def test_a_clear_out_of_scope_request_is_answered_as_such() -> None:
    tracker = tracker_from_events([user("what's the weather in paris tomorrow", "out_of_scope", 0.93)])
    dispatcher = CollectingDispatcher()
    assert await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN) == []
    assert [m["response"] for m in said(dispatcher)] == ["utter_out_of_scope"]


def gibberish(text: str, confidence: float) -> Dict[str, Any]:
    """An out-of-scope message the NLU pipeline marked as having no in-scope word."""
    event = user(text, "out_of_scope", confidence)
    event["parse_data"][VOCABULARY_KEY] = {"words": len(text.split()), "known": 0, "gibberish": True}
    return event


def test_the_verdict_key_is_the_one_the_nlu_component_writes() -> None:
    from storefront.nlu.in_scope_vocabulary import PARSE_KEY

    assert VOCABULARY_KEY == PARSE_KEY


@pytest.mark.parametrize(
    "message",
    [
        gibberish("asdfjkl", 0.97),
        gibberish("qwpo zzkx", 0.88),
        user("what's the weather in paris tomorrow", "out_of_scope", 0.41),
    ],
)
async def test_gibberish_or_an_unsure_out_of_scope_asks_to_rephrase(message: Dict[str, Any]) -> None:
    tracker = tracker_from_events([message])
    dispatcher = CollectingDispatcher()
    await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in said(dispatcher)] == ["utter_fallback_rephrase"]


async def test_gibberish_twice_in_a_row_hands_off() -> None:
    tracker = tracker_from_events([gibberish("asdfjkl", 0.97), bot("Sorry?"), gibberish("qwpo zzkx", 0.9)])
    dispatcher = CollectingDispatcher()
    events = await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in said(dispatcher)] == ["utter_fallback_handing_off", "utter_handoff_queued"]
    assert events[-1] == ConversationPaused()
    with session_scope() as session:
        (record,) = list_handoffs(session)
    assert record.reason == "nlu_fallback"


async def test_a_clear_out_of_scope_request_before_gibberish_does_not_count() -> None:
    tracker = tracker_from_events(
        [user("tell me a joke", "out_of_scope", 0.95), bot("Outside"), gibberish("asdfjkl", 0.97)]
    )
    dispatcher = CollectingDispatcher()
    await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in said(dispatcher)] == ["utter_fallback_rephrase"]


def _with_entities(event: Dict[str, Any], *entities: Dict[str, Any]) -> Dict[str, Any]:
    event["parse_data"]["entities"] = list(entities)
    return event


async def test_a_place_right_after_a_shipping_answer_asks_the_same_for_it() -> None:
    """ "and what about Texas?" after delivery options to Ontario: Texas's options, not "off topic"."""
    answered = {**bot("Delivery to Ontario, Canada:"), "metadata": {"utter_action": "utter_shipping_header"}}
    texas = _with_entities(
        user("and what about Texas?", "out_of_scope", 0.66),
        {"entity": "country", "value": "United States"},
        {"entity": "region", "value": "TX"},
    )
    tracker = tracker_from_events([user("do you deliver to Toronto?", "shipping_info"), answered, texas])
    dispatcher = CollectingDispatcher()
    events = await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN)
    assert events == [FollowupAction("action_shipping_info")]
    assert said(dispatcher) == []


async def test_a_place_without_a_shipping_answer_before_it_is_not_a_shipping_question() -> None:
    texas = _with_entities(
        user("what about Texas?", "out_of_scope", 0.9), {"entity": "region", "value": "TX"}
    )
    dispatcher = CollectingDispatcher()
    await ActionStorefrontFallback().run(
        dispatcher, tracker_from_events([user("hi", "greet"), bot("Hi!"), texas]), DOMAIN
    )
    assert [m["response"] for m in said(dispatcher)] == ["utter_out_of_scope"]


def _answered(response: str) -> Dict[str, Any]:
    return {**bot("..."), "metadata": {"utter_action": response}}


async def test_a_product_right_after_a_size_answer_asks_its_size() -> None:
    """ "and in the Chelsea Boot? I'm usually a UK 7" reads as a bare answer (inform)."""
    boot = _with_entities(
        user("and in the chelsea boot? i'm usually a uk 7", "inform", 0.61),
        {"entity": "product", "value": "Chelsea Boot"},
        {"entity": "size", "value": "UK 7"},
    )
    tracker = tracker_from_events(
        [user("what size fleece hoodie, 5ft6 130lb", "size_help"),
         _answered("utter_size_recommendation_measurements"), boot]
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN)
    assert events == [FollowupAction("sizing_form")]
    assert said(dispatcher) == []


async def test_a_colour_right_after_a_stock_answer_asks_its_stock() -> None:
    black = _with_entities(user("how about in black", "inform", 0.7), {"entity": "color", "value": "Black"})
    tracker = tracker_from_events(
        [user("is the fleece hoodie in M", "product_stock"), _answered("utter_stock_in_stock"), black]
    )
    assert await ActionStorefrontFallback().run(CollectingDispatcher(), tracker, DOMAIN) == [
        FollowupAction("stock_form")
    ]


async def test_a_long_new_request_after_a_size_answer_is_not_a_follow_up() -> None:
    request = _with_entities(
        user("I also bought the Chelsea Boot last year for my brother who loved it", "inform", 0.7),
        {"entity": "product", "value": "Chelsea Boot"},
    )
    tracker = tracker_from_events(
        [user("size for the hoodie, 170cm", "size_help"), _answered("utter_size_recommendation_measurements"),
         request]
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in said(dispatcher)] == ["utter_default"]
    assert events == [UserUtteranceReverted()]


async def test_a_clear_message_with_no_next_step_gets_the_default_and_is_forgotten() -> None:
    """The rule policy's core fallback (config.yml) runs this action, as Rasa's default would."""
    tracker = tracker_from_events([user("hi", "greet"), bot("Hi!"), user("a size M", "inform", 0.9)])
    dispatcher = CollectingDispatcher()
    assert await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN) == [UserUtteranceReverted()]
    assert [m["response"] for m in said(dispatcher)] == ["utter_default"]


async def test_a_message_a_form_cannot_take_gets_its_question_again_not_a_person() -> None:
    """ "I'd like it in blue" where the return form asked about the item's condition."""
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    question = {
        **bot("Are the items unworn and unwashed, with the tags still attached?"),
        "data": {"buttons": buttons},
    }
    tracker = tracker_from_events(
        [
            user("return the jeans from 1002", "start_return"),
            question,
            user("I'd like it in blue", "inform", 0.8),
        ],
        slots={"requested_slot": "return_condition"},
        active_loop="return_form",
    )
    dispatcher = CollectingDispatcher()
    assert await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN) == [UserUtteranceReverted()]
    first, again = said(dispatcher)
    assert first == {"response": "utter_default_in_form"}
    assert again["text"] == question["text"] and again["buttons"] == question["data"]["buttons"]


@pytest.mark.parametrize(
    "text, entities",
    [
        ("black boots", [{"entity": "color", "value": "Black"}, {"entity": "category", "value": "Boots"}]),
        ("jackets under 200", [{"entity": "category", "value": "Jackets & Coats"}]),
        ("the rain shell?", [{"entity": "product", "value": "rain shell"}]),
    ],
)
async def test_a_few_words_naming_products_with_no_flow_waiting_are_a_search(text: str, entities) -> None:
    """Read as ``inform`` (the words that answer a form's "which product?"), with no form asking."""
    searched = _with_entities(user(text, "inform"), *entities)
    tracker = tracker_from_events([user("hi", "greet"), bot("Hi!"), searched])
    dispatcher = CollectingDispatcher()
    assert await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN) == [
        FollowupAction("action_product_search")
    ]
    assert said(dispatcher) == []


async def test_a_message_that_only_narrows_the_need_just_answered_is_a_search() -> None:
    """ "ok but under 150" after jacket recommendations, whatever the classifier made of it."""
    tracker = tracker_from_events(
        [user("warm jacket for winter under 250", "product_search"), _answered("utter_finder_intro"),
         user("ok but under 150", "nlu_fallback", 0.4)],
        slots={"finder_need": "warm jacket for winter under 250"},
    )  # fmt: skip
    assert await ActionStorefrontFallback().run(CollectingDispatcher(), tracker, DOMAIN) == [
        FollowupAction("action_product_search")
    ]


async def test_a_budget_without_an_earlier_need_is_no_search() -> None:
    narrowing = user("ok but under 150", "nlu_fallback", 0.4)
    tracker = tracker_from_events([user("hi", "greet"), bot("Hi!"), narrowing])
    dispatcher = CollectingDispatcher()
    await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in said(dispatcher)] == ["utter_fallback_rephrase"]


@pytest.mark.usefixtures("catalog_store")
async def test_a_care_question_about_the_product_talked_about_is_answered_not_out_of_scope() -> None:
    """ "how do i wash it" after the Fleece Hoodie's size, read as out of scope."""
    tracker = tracker_from_events(
        [user("what size fleece hoodie", "size_help"), _answered("utter_size_recommendation_measurements"),
         user("how do i wash it", "out_of_scope", 0.8)],
        slots={"product": "fleece-hoodie"},
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN)
    responses = [m["response"] for m in said(dispatcher)]
    assert responses and responses[0].startswith("utter_product_fact"), responses
    assert "utter_out_of_scope" not in responses


async def test_too_expensive_right_after_the_products_is_a_search_for_cheaper_ones() -> None:
    tracker = tracker_from_events(
        [user("warm jacket", "product_search"), _answered("utter_finder_intro"),
         user("too expensive", "nlu_fallback", 0.4)],
        slots={"finder_need": "warm jacket"},
    )  # fmt: skip
    assert await ActionStorefrontFallback().run(CollectingDispatcher(), tracker, DOMAIN) == [
        FollowupAction("action_product_search")
    ]


async def test_a_follow_up_right_after_the_return_policy_gets_that_part_of_it() -> None:
    """ "and for sale items?" reads as a product search; it asks the return policy about sale items."""
    tracker = tracker_from_events(
        [user("what's your return policy", "return_policy"), _answered("utter_return_policy"),
         user("and for sale items?", "nlu_fallback", 0.4)]
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    assert await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN) == []
    assert [m["response"] for m in said(dispatcher)] == [
        "utter_return_policy_sale",
        "utter_return_policy_final_sale",
    ]


@pytest.mark.parametrize(
    ("text", "response"),
    [
        (
            "the jacket I bought last week is now cheaper, can I get the difference?",
            "utter_discount_price_adjustment",
        ),
        ("can I add something to my order", "utter_order_items_change"),
    ],
)
async def test_an_unclear_price_or_order_change_question_is_answered(text: str, response: str) -> None:
    tracker = tracker_from_events([user(text, "nlu_fallback", 0.4)])
    dispatcher = CollectingDispatcher()
    assert await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN) == []
    assert [m["response"] for m in said(dispatcher)] == [response]


async def test_inside_a_flow_an_order_change_question_is_no_item_change() -> None:
    tracker = tracker_from_events(
        [user("I ordered a size M last time", "nlu_fallback", 0.4)], active_loop="sizing_form"
    )
    dispatcher = CollectingDispatcher()
    await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN)
    assert "utter_order_items_change" not in [m.get("response") for m in said(dispatcher)]
