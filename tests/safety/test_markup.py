"""A message with HTML markup is understood as its visible text (storefront/markup.py)."""

from __future__ import annotations

from typing import Any, Iterator, List

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor

from storefront import markup
from storefront.markup import read_visible_text, visible_text


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("<b>where is my order</b> 1001", "where is my order 1001"),
        ("<p>hi</p>", "hi"),
        ("<p>hello</p><p>order #1001</p>", "hello order #1001"),
        ("<div>my email is<br/>ava.shopper@example.com</div>", "my email is ava.shopper@example.com"),
        ("<script>alert(1)</script> show me order 1005", "show me order 1005"),
        ("<STYLE>p {color: red}</STYLE>Do you ship to Canada?", "Do you ship to Canada?"),
        ('<a href="https://example.com">this</a> hoodie in <i>black</i>', "this hoodie in black"),
        ("<img src=x onerror=alert(1)>is it in stock", "is it in stock"),
        ("<!-- pasted -->cancel it&nbsp;please", "cancel it please"),
        ("fish &amp; chips", "fish & chips"),
    ],
)
def test_markup_is_read_as_its_visible_text(text: str, visible: str) -> None:
    assert visible_text(text) == visible


@pytest.mark.parametrize(
    "text",
    [
        "where is my order 1001",
        "my email is <ava.shopper@example.com>",  # not an HTML element: the shopper's own brackets
        "I <3 these boots",
        "is it under < 50 or > 20?",
        "<i think it's the wrong size",  # an unfinished tag is text
        "rock & roll",
        "  two  spaces stay  ",
    ],
)
def test_text_without_markup_is_left_as_typed(text: str) -> None:
    assert visible_text(text) == text


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "<p></p>", "<br><br/>", "<!-- -->"])
def test_nothing_visible_is_empty(text: str) -> None:
    assert visible_text(text) == ""


def test_the_message_is_recorded_as_its_visible_text() -> None:
    message = UserMessage("<b>where is my order</b> 1001", sender_id="s")
    read_visible_text(message)
    assert message.text == "where is my order 1001"
    assert message.parse_data is None  # the NLU graph parses it


def test_a_message_with_nothing_visible_is_the_nlu_fallback() -> None:
    message = UserMessage("<script>alert('x')</script>", sender_id="s")
    read_visible_text(message)
    assert message.text == ""
    assert message.parse_data is not None
    assert message.parse_data["intent"]["name"] == "nlu_fallback"
    assert message.parse_data["entities"] == []


def test_a_message_parsed_already_is_left_alone() -> None:
    given = {"intent": {"name": "greet", "confidence": 1.0}, "entities": [], "text": "<p>hi</p>"}
    message = UserMessage("<p>hi</p>", sender_id="s", parse_data=given)
    read_visible_text(message)
    assert message.text == "<p>hi</p>" and message.parse_data is given


@pytest.fixture
def installed() -> Iterator[List[str]]:
    """The wrapper around a stand-in of Rasa's method, which records the texts it is given."""
    seen: List[str] = []

    async def rasa_handle(self: Any, message: UserMessage, tracker: Any) -> None:
        seen.append(message.text)

    original = MessageProcessor._handle_message_with_tracker
    MessageProcessor._handle_message_with_tracker = rasa_handle  # type: ignore[method-assign]
    markup.install()
    try:
        yield seen
    finally:
        markup.uninstall()
        MessageProcessor._handle_message_with_tracker = original  # type: ignore[method-assign]


@pytest.mark.asyncio
async def test_installed_every_message_reaches_rasa_as_its_visible_text(installed: List[str]) -> None:
    processor = object.__new__(MessageProcessor)
    for text in ("<p>hi</p>", "plain"):
        await processor._handle_message_with_tracker(UserMessage(text, sender_id="s"), None)  # type: ignore[arg-type]
    assert installed == ["hi", "plain"]
    markup.install()  # idempotent: still one wrapper
    await processor._handle_message_with_tracker(UserMessage("<b>x</b>", sender_id="s"), None)  # type: ignore[arg-type]
    assert installed[-1] == "x"
