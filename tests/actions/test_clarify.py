"""A puzzled shopper ("what do you mean?") hears it again, more plainly (actions/clarify.py)."""

from __future__ import annotations

from typing import Any, Dict

from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import MAX_REPEATED, ActionClarify
from tests.handoff.support import DOMAIN, bot, tracker_from_events, user

PERSON = [{"title": "Talk to a person", "payload": "/human_handoff"}]


def _answered(text: str, response: str, buttons=()) -> Dict[str, Any]:
    return {**bot(text), "data": {"buttons": list(buttons)}, "metadata": {"utter_action": response}}


async def _run(tracker) -> list:
    dispatcher = CollectingDispatcher()
    assert await ActionClarify().run(dispatcher, tracker, DOMAIN) == []
    return dispatcher.messages


async def test_inside_a_flow_the_question_is_explained_and_the_flow_asks_it_again() -> None:
    events = [user("where is my order", "order_status"),
              _answered("What's your order number?", "utter_ask_order_number", PERSON),
              user("what do you mean?", "clarify")]  # fmt: skip
    tracker = tracker_from_events(
        events, slots={"requested_slot": "order_number"}, active_loop="order_status_form"
    )
    messages = await _run(tracker)
    assert [m["response"] for m in messages] == ["utter_clarify_order_number"]


async def test_a_question_without_an_explanation_gets_an_apology_before_it_is_asked_again() -> None:
    asked = _answered("Which product?", "utter_ask_stock_form_product")
    events = [user("is it in stock", "product_stock"), asked, user("huh?", "clarify")]
    tracker = tracker_from_events(events, slots={"requested_slot": "product"}, active_loop="stock_form")
    assert [m["response"] for m in await _run(tracker)] == ["utter_clarify_in_flow"]


async def test_outside_a_flow_the_last_turn_is_said_again_with_its_buttons_and_names() -> None:
    events = [
        user("am i talking to a real person", "bot_challenge"),
        _answered("Yes, I'm an automated assistant.", "utter_iamabot", PERSON),
        user("what do you mean", "clarify"),
    ]
    messages = await _run(tracker_from_events(events))
    assert messages[0]["response"] == "utter_clarify"
    again = messages[1]
    assert again["text"] == "Yes, I'm an automated assistant." and again["buttons"] == PERSON
    assert again["utter_action"] == "utter_iamabot"  # so a "yes" next is read as the answer to it
    assert len(messages) == 2


async def test_a_long_turn_is_said_again_from_its_end_without_an_earlier_intro() -> None:
    said = [_answered(f"line {n}", "utter_finder_pick") for n in range(MAX_REPEATED + 2)]
    events = [user("boots", "product_search"), _answered("Sorry, I wasn't clear.", "utter_clarify"), *said,
              user("huh", "clarify")]  # fmt: skip
    texts = [m["text"] for m in (await _run(tracker_from_events(events)))[1:]]
    assert texts == [f"line {n}" for n in range(2, MAX_REPEATED + 2)]


async def test_before_anything_was_said_it_says_what_it_can_do() -> None:
    messages = await _run(tracker_from_events([user("what do you mean?", "clarify")]))
    assert [m["response"] for m in messages] == ["utter_clarify_nothing_said"]
