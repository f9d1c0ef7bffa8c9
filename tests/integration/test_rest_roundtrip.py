"""The whole path from day one: REST channel -> NLU -> policies -> action server -> tracker store."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.support.chat import rest_id, say, texts, tracker
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def _sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def test_greeting_gets_the_greeting_response_with_buttons(stack: Stack) -> None:
    replies = say(stack, _sender(), "hi there")
    assert replies, "the bot did not answer"
    assert replies[0]["text"].startswith("Hi! I'm the store assistant.")
    assert {b["payload"] for b in replies[0]["buttons"]} >= {"/order_status", "/human_handoff"}


def test_bot_challenge_is_answered_truthfully(stack: Stack) -> None:
    assert texts(say(stack, _sender(), "am I talking to a bot?"))[0].startswith(
        "Yes, I'm an automated assistant, not a person."
    )


def test_goodbye_and_thanks(stack: Stack) -> None:
    sender = _sender()
    assert texts(say(stack, sender, "thanks so much")) == ["You're welcome! Anything else I can help with?"]
    assert texts(say(stack, sender, "bye")) == ["Thanks for stopping by. Have a great day!"]


def test_request_for_a_person_runs_a_custom_action_on_the_action_server(stack: Stack) -> None:
    sender = _sender()
    replies = say(stack, sender, "i want to talk to a real person")
    events = tracker(stack, rest_id(sender))["events"]
    names = [e.get("name") for e in events if e["event"] == "action"]
    assert "action_handoff" in names
    after_handoff = events[[e.get("name") for e in events].index("action_handoff") :]
    assert any(e["event"] == "bot" for e in after_handoff), "the action server produced no reply"
    assert replies, "the shopper got no reply"


def test_http_api_requires_the_token(stack: Stack) -> None:
    sender = _sender()
    say(stack, sender, "hi")
    no_token = requests.get(f"{stack.rasa_url}/conversations/{sender}/tracker", timeout=30)
    wrong = requests.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": "nope"}, timeout=30
    )
    assert no_token.status_code == 401
    assert wrong.status_code == 401


def test_conversation_survives_a_rasa_server_restart(stack: Stack) -> None:
    sender = _sender()
    say(stack, sender, "hi")
    say(stack, sender, "are you a real person")
    before = [e for e in tracker(stack, rest_id(sender))["events"] if e["event"] in ("user", "bot")]
    assert len(before) == 4

    stack.restart_rasa()

    after_restart = [e for e in tracker(stack, rest_id(sender))["events"] if e["event"] in ("user", "bot")]
    assert [e.get("text") for e in after_restart] == [e.get("text") for e in before]
    assert texts(say(stack, sender, "thank you")) == ["You're welcome! Anything else I can help with?"]
    assert len([e for e in tracker(stack, rest_id(sender))["events"] if e["event"] == "user"]) == 3
