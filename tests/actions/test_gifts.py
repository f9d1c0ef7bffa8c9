"""action_gift_options: the store's gift services from store.yaml's gifts, on the sample store
(gift wrap $4.95, a free gift note of up to 200 characters, a gift receipt, store credit for the
recipient within the 30-day return window)."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.gifts import ActionGiftOptions
from store.db import make_engine, session_scope
from store.models import StoreSetting
from tests.actions.catalog_support import DOMAIN, catalog_store, make_tracker, said  # noqa: F401
from tests.support.trackers import tracker_from_events

pytestmark = pytest.mark.usefixtures("catalog_store")

NEXT = {"response": "utter_gift_options_next"}
WRAP = {"response": "utter_gift_wrap", "price": "$4.95"}
NOTE = {"response": "utter_gift_note", "max_chars": 200}
RECEIPT = {"response": "utter_gift_receipt"}


async def ask(text: str) -> list:
    dispatcher = CollectingDispatcher()
    events = await ActionGiftOptions().run(dispatcher, make_tracker(intent="gift_options", text=text), DOMAIN)
    assert events == []
    return said(dispatcher)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("do you gift wrap", [WRAP]),
        ("how much is gift wrapping?", [WRAP]),
        ("can you put it in a gift box", [WRAP]),
        ("can I add a message for my sister", [NOTE]),
        ("please leave the prices out of the parcel", [RECEIPT]),
        ("can you wrap it and add a card", [WRAP, NOTE]),
    ],
)
async def test_the_service_asked_about_is_answered(text: str, answer: list) -> None:
    assert await ask(text) == [*answer, NEXT]


async def test_a_general_question_gets_every_service_and_the_gift_return_rule() -> None:
    assert await ask("what gift options do you have?") == [
        WRAP, NOTE, RECEIPT, {"response": "utter_gift_returns_store_credit", "days": 30}, NEXT,
    ]  # fmt: skip


@pytest.fixture
def no_gift_services(store_db_url: str) -> Iterator[None]:
    """A store without gift wrap, notes or receipts, for one test."""
    engine = make_engine(store_db_url)
    with session_scope(engine) as session:
        row = session.get(StoreSetting, "gifts")
        saved: Any = dict(row.value)
        row.value = {"gift_wrap": False, "gift_note": False, "gift_receipt": False}
    yield
    with session_scope(engine) as session:
        session.get(StoreSetting, "gifts").value = saved


@pytest.mark.usefixtures("no_gift_services")
async def test_a_store_without_the_services_says_so() -> None:
    assert await ask("do you gift wrap") == [{"response": "utter_gift_wrap_none"}, NEXT]
    assert await ask("gift options?") == [
        {"response": "utter_gift_wrap_none"}, {"response": "utter_gift_note_none"},
        {"response": "utter_gift_receipt_none"}, {"response": "utter_gift_returns_buyer_refund", "days": 30},
        NEXT,
    ]  # fmt: skip


async def test_inside_a_flow_only_the_service_is_answered() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="gift_options", text="do you gift wrap?", active_loop="order_status_form")
    assert await ActionGiftOptions().run(dispatcher, tracker, DOMAIN) == []
    assert said(dispatcher) == [WRAP]


async def test_right_after_the_return_policy_a_gift_question_asks_how_gifts_are_returned() -> None:
    events = [
        {"event": "user", "text": "what's your return policy", "parse_data": {"text": "x", "entities": []}},
        {"event": "bot", "text": "...", "metadata": {"utter_action": "utter_return_policy"}},
        {"event": "user", "text": "and if it was a gift?",
         "parse_data": {"text": "and if it was a gift?", "intent": {"name": "gift_options"}, "entities": []}},
    ]  # fmt: skip
    dispatcher = CollectingDispatcher()
    assert await ActionGiftOptions().run(dispatcher, tracker_from_events(events), DOMAIN) == []
    assert said(dispatcher) == [{"response": "utter_gift_returns_store_credit", "days": "30"}]


@pytest.mark.parametrize("text", ["do you sell gift cards", "can I buy an e-gift card for my aunt"])
async def test_a_gift_card_question_is_no_gift_note_question(text: str) -> None:
    assert await ask(text) == [{"response": "utter_gift_cards"}]


async def test_right_after_the_gift_finders_answer_a_gift_wrap_question_gets_the_gift_wrap() -> None:
    """The finder's answer ends with the gift return rule; "do you gift wrap?" asks no policy."""
    events = [
        {"event": "user", "text": "a gift for my sister", "parse_data": {"text": "x", "entities": []}},
        {"event": "bot", "text": "...", "metadata": {"utter_action": "utter_finder_intro"}},
        {"event": "bot", "text": "...", "metadata": {"utter_action": "utter_gift_returns_store_credit"}},
        {"event": "user", "text": "do you gift wrap?",
         "parse_data": {"text": "do you gift wrap?", "intent": {"name": "gift_options"}, "entities": []}},
    ]  # fmt: skip
    dispatcher = CollectingDispatcher()
    assert await ActionGiftOptions().run(dispatcher, tracker_from_events(events), DOMAIN) == []
    assert said(dispatcher) == [WRAP, NEXT]
