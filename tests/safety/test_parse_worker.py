"""Messages are parsed in a worker thread beside the event loop (storefront/parse_worker.py).

The event loop must keep serving other conversations while a message is parsed, the parse must
happen in the one worker thread, and what the server understands must be exactly what Rasa's own
``parse_message`` gives on the trained model.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

from storefront import parse_worker

pytestmark = pytest.mark.asyncio

TEXTS = [
    "hi",
    "where is my order?",
    "#1001",
    "do you ship to canada",
    "what is your return policy",
    "is the black hoodie in stock",
    "am i talking to a real person",
    "🙂",
]


@pytest.fixture
def installed() -> Iterator[None]:
    parse_worker.install()
    try:
        yield
    finally:
        parse_worker.uninstall()


class _BlockedGraph(MessageProcessor):
    """A processor whose NLU graph waits until told to finish, recording the thread it ran in."""

    def __init__(self) -> None:  # no model: only the parse path is exercised
        self.http_interpreter = None
        self.domain = None
        self.release = threading.Event()
        self.threads: List[str] = []

    def _parse_message_with_graph(
        self, message: UserMessage, tracker: DialogueStateTracker, only_output_properties: bool = True
    ) -> Dict[str, Any]:
        self.threads.append(threading.current_thread().name)
        if not self.release.wait(timeout=30):  # a deadlock fails the test instead of hanging it
            raise AssertionError("the event loop never ran while the message was parsed")
        return {"text": message.text, "intent": {"name": "greet", "confidence": 1.0}, "entities": []}


async def test_the_event_loop_serves_others_while_a_message_is_parsed(installed: None) -> None:
    processor = _BlockedGraph()
    parsing = asyncio.ensure_future(processor.parse_message(UserMessage("hi", sender_id="ann")))
    # Another conversation's work, on the loop, is what lets the parse finish.
    while not processor.threads:
        await asyncio.sleep(0.01)
    processor.release.set()
    parse_data = await parsing
    assert parse_data["intent"]["name"] == "greet"
    assert len(processor.threads) == 1 and processor.threads[0].startswith(parse_worker.THREAD_NAME)


async def test_without_the_install_the_parse_blocks_the_loop() -> None:
    """The check above can fail: Rasa's method parses on the loop, so nothing else runs meanwhile."""
    processor = _BlockedGraph()
    processor.release.set()  # else Rasa's parse would wait forever on the loop's own thread
    await processor.parse_message(UserMessage("hi", sender_id="ann"))
    assert processor.threads == [threading.current_thread().name]


@pytest.fixture(scope="module")
def processor(trained_model: Path) -> MessageProcessor:
    from rasa.core.agent import Agent

    return Agent.load(str(trained_model)).processor


async def test_the_parse_equals_rasas_on_the_trained_model(processor: MessageProcessor) -> None:
    expected = [await processor.parse_message(UserMessage(text, sender_id="ann")) for text in TEXTS]
    parse_worker.install()
    try:
        parsed = [await processor.parse_message(UserMessage(text, sender_id="ann")) for text in TEXTS]
    finally:
        parse_worker.uninstall()
    assert parsed == expected
    assert [p["intent"]["name"] for p in parsed][:2] == ["greet", "order_status"]
