"""Yes or no outside a form answers the question the shopper last saw (actions/questions.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Iterator

import pytest
from rasa_sdk.events import ConversationPaused, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionStorefrontFallback
from actions.questions import ANYTHING_ELSE, FLOW_OFFERS, PERSON_OFFERS, ActionAnswerYesNo
from core.clock import pinned
from store.db import session_scope
from store.handoffs import list_handoffs
from tests.handoff.support import DOMAIN, private_store, said, tracker_from_events, user

__all__ = ["private_store"]
pytestmark = pytest.mark.usefixtures("private_store")


@pytest.fixture(autouse=True)
def office_hours(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HANDOFF_HOURS_OVERRIDE", "")
    with pinned(datetime(2026, 6, 9, 14, 0, tzinfo=timezone.utc)):  # a Tuesday afternoon in New York
        yield


def asked(response: str) -> Dict[str, Any]:
    """A bot message sent from the domain response ``response``."""
    return {"event": "bot", "text": "...", "data": {}, "metadata": {"utter_action": response},
            "timestamp": 1_700_000_001.0}  # fmt: skip


def responses(dispatcher: CollectingDispatcher) -> list:
    return [m["response"] for m in said(dispatcher)]


def test_every_listed_question_is_a_domain_response() -> None:
    assert sorted((PERSON_OFFERS | ANYTHING_ELSE) - set(DOMAIN["responses"])) == []
    for offer, (form, declined) in FLOW_OFFERS.items():
        assert offer in DOMAIN["responses"] and declined in DOMAIN["responses"]
        assert form in DOMAIN["forms"]


@pytest.mark.parametrize("yes", ["sure, go ahead", "yes please"])
async def test_yes_to_an_offer_to_start_a_return_starts_the_return_form(yes: str) -> None:
    tracker = tracker_from_events(
        [user("where's my refund", "refund_status"), asked("utter_refund_none"), user(yes, "affirm")],
        slots={"verified_order": "1002"},
    )
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerYesNo().run(dispatcher, tracker, DOMAIN) == [FollowupAction("return_form")]
    assert responses(dispatcher) == []


async def test_no_to_an_offer_to_start_a_return_says_none_was_started() -> None:
    tracker = tracker_from_events(
        [user("where's my refund", "refund_status"), asked("utter_refund_none"), user("no thanks", "deny")]
    )
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerYesNo().run(dispatcher, tracker, DOMAIN) == []
    assert responses(dispatcher) == ["utter_return_not_started"]


def test_every_offer_of_a_person_has_the_talk_to_a_person_button_or_asks() -> None:
    for name in PERSON_OFFERS:
        variant = DOMAIN["responses"][name][0]
        payloads = [b["payload"] for b in variant.get("buttons") or []]
        assert "/human_handoff" in payloads, name


@pytest.mark.parametrize("offer", ["utter_order_delayed", "utter_default", "utter_refund_late"])
async def test_yes_to_an_offer_of_a_person_hands_off_with_the_flows_reason(offer: str) -> None:
    tracker = tracker_from_events(
        [user("where is my order", "order_status"), asked(offer), user("sure, go ahead", "affirm")],
        slots={"handoff_reason": "delayed_order"},
    )
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerYesNo().run(dispatcher, tracker, DOMAIN)
    assert events[-1] == ConversationPaused()
    assert responses(dispatcher)[-1] == "utter_handoff_queued"
    with session_scope() as session:
        (record,) = list_handoffs(session)
    assert record.reason == "delayed_order"


async def test_no_to_an_offer_of_a_person_keeps_the_bot() -> None:
    tracker = tracker_from_events(
        [user("hm", "order_status"), asked("utter_refund_late"), user("nah", "deny")]
    )
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerYesNo().run(dispatcher, tracker, DOMAIN) == []
    assert responses(dispatcher) == ["utter_person_declined"]


@pytest.mark.parametrize(("intent", "reply"), [("affirm", "utter_ask_what_else"), ("deny", "utter_goodbye")])
async def test_yes_or_no_to_anything_else(intent: str, reply: str) -> None:
    tracker = tracker_from_events(
        [user("thanks", "thank_you"), asked("utter_you_are_welcome"), user("x", intent)]
    )
    dispatcher = CollectingDispatcher()
    await ActionAnswerYesNo().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == [reply]


async def test_a_yes_to_an_older_offer_is_not_a_yes_to_a_person() -> None:
    """Only the bot's messages since the shopper's previous message count as the question."""
    tracker = tracker_from_events(
        [asked("utter_default"), user("track my order", "order_status"), asked("utter_order_shipped"),
         user("yes", "affirm")]
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerYesNo().run(dispatcher, tracker, DOMAIN) == []
    assert responses(dispatcher) == ["utter_ask_what_else"]


@pytest.mark.parametrize(
    ("text", "reply"), [("nah I'm fine", "utter_person_declined"), ("yeah please", None)]
)
async def test_an_unsure_yes_or_no_right_after_an_offer_answers_it(text: str, reply: str) -> None:
    tracker = tracker_from_events(
        [user("?", "order_status"), asked("utter_default"), user(text, "nlu_fallback", 0.3)]
    )
    dispatcher = CollectingDispatcher()
    events = await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN)
    if reply is None:
        assert events[-1] == ConversationPaused()
    else:
        assert responses(dispatcher) == [reply]


async def test_an_unsure_message_after_no_question_climbs_the_ladder() -> None:
    tracker = tracker_from_events([user("yeah please", "nlu_fallback", 0.3)])
    dispatcher = CollectingDispatcher()
    await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_fallback_rephrase"]
