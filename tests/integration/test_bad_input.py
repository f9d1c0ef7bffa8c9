"""Bad input through the REST channel gets a clear error or a sensible reply; the server keeps serving."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.support.chat import chat, say
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def _post(stack: Stack, **kwargs) -> requests.Response:
    return requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=60, **kwargs)


def _still_serving(stack: Stack) -> None:
    turn = chat(stack, f"alive-{uuid.uuid4().hex[:8]}", "hello")
    assert turn.responses == ["utter_greet"] and len(turn.replies) == 1


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"json": {"sender": "a", "message": ""}}, 400, "empty_message"),
        ({"json": {"sender": "a", "message": "   \n "}}, 400, "empty_message"),
        ({"json": {"sender": "a"}}, 400, "missing_message"),
        ({"json": {"sender": "a", "message": 42}}, 400, "missing_message"),
        ({"json": {"message": "hi"}}, 400, "missing_sender"),
        ({"json": ["hi"]}, 400, "invalid_body"),
        ({"json": {"sender": "a", "message": "hi", "metadata": "x"}}, 400, "invalid_metadata"),
        (
            {"data": b'{"sender": "a", "message": ', "headers": {"Content-Type": "application/json"}},
            400,
            "invalid_json",
        ),
        (
            {
                "data": b"sender=a&message=hi",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            415,
            "unsupported_media_type",
        ),
        (
            {"data": b'{"sender": "a", "message": "hi"}', "headers": {"Content-Type": "text/plain"}},
            415,
            "unsupported_media_type",
        ),
        ({"json": {"sender": "a", "message": "x" * 50_000}}, 413, "message_too_long"),
    ],
)
def test_malformed_requests_get_a_clear_error(stack: Stack, kwargs, status: int, code: str) -> None:
    reply = _post(stack, **kwargs)
    assert reply.status_code == status
    body = reply.json()
    assert body["code"] == code
    assert body["error"]
    _still_serving(stack)


def test_fifty_thousand_characters_are_refused_with_the_limit_named(stack: Stack) -> None:
    reply = _post(stack, json={"sender": "big", "message": "a" * 50_000})
    assert reply.json()["error"] == "'message' has 50000 characters; the limit is 5000."


@pytest.mark.parametrize("text", ["héllo 👋", "こんにちは", "🙂🙂🙂", "hi\u200b there", "Ça va? ¿Qué tal?"])
def test_unicode_and_emoji_get_a_reply(stack: Stack, text: str) -> None:
    replies = say(stack, f"uni-{uuid.uuid4().hex[:8]}", text)
    assert replies and all(r.get("text") for r in replies)
