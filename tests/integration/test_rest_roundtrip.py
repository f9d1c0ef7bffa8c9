"""The whole path from day one: REST channel -> NLU -> policies -> action server -> tracker store."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.support.chat import chat, rest_id, say, tracker
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def _sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def test_greeting_gets_the_greeting_response_with_buttons(stack: Stack) -> None:
    turn = chat(stack, _sender(), "hi there")
    assert turn.responses == ["utter_greet"]
    assert len(turn.replies) == 1, "the channel did not deliver the greeting"
    assert {b["payload"] for b in turn.buttons()} >= {"/order_status", "/human_handoff"}


def test_bot_challenge_is_answered_truthfully(stack: Stack) -> None:
    assert chat(stack, _sender(), "am I talking to a bot?").responses == ["utter_iamabot"]


def test_goodbye_and_thanks(stack: Stack) -> None:
    sender = _sender()
    assert chat(stack, sender, "thanks so much").responses == ["utter_you_are_welcome"]
    # a goodbye ends with the one-tap rating, asked once a day (tests/insights for the rest)
    assert chat(stack, sender, "bye").responses == ["utter_goodbye", "utter_ask_satisfaction"]
    assert chat(stack, sender, "bye").responses == ["utter_goodbye"]


def test_request_for_a_person_runs_a_custom_action_on_the_action_server(stack: Stack) -> None:
    turn = chat(stack, _sender(), "i want to talk to a real person")
    assert "action_handoff" in turn.actions
    assert turn.responses == ["utter_handoff_queued"], "the action server's reply is missing"
    assert "pause" in [e["event"] for e in turn.events]
    assert len(turn.replies) == 1, "the shopper got no reply"


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
    assert chat(stack, sender, "thank you").responses == ["utter_you_are_welcome"]
    assert len([e for e in tracker(stack, rest_id(sender))["events"] if e["event"] == "user"]) == 3
