"""Messages are parsed in a worker thread beside the event loop (storefront/parse_worker.py).

The event loop must keep serving other conversations while a message is parsed, the parse must
happen in the one worker thread, and what the server understands must be exactly what Rasa's own
``parse_message`` gives on the trained model.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Dict, Iterator, List

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.engine.constants import PLACEHOLDER_MESSAGE
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

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


class _Graph:
    """A stand-in NLU graph: records each run's texts and thread, waits until released, may fail."""

    def __init__(self, failing: str = "") -> None:
        self.release = threading.Event()
        self.runs: List[List[str]] = []
        self.threads: List[str] = []
        self.failing = failing

    def run(self, inputs: Dict[str, Any], targets: List[str]) -> Dict[str, Any]:
        texts = [message.text for message in inputs[PLACEHOLDER_MESSAGE]]
        self.runs.append(texts)
        self.threads.append(threading.current_thread().name)
        if not self.release.wait(timeout=30):  # a deadlock fails the test instead of hanging it
            raise AssertionError("the event loop never ran while the message was parsed")
        if self.failing in texts:
            raise ValueError(f"cannot parse {self.failing!r}")
        parsed = [Message(data={TEXT: text}) for text in texts]
        for message in parsed:
            message.set(
                INTENT, {"name": f"intent of {message.get(TEXT)}", "confidence": 1.0}, add_to_output=True
            )
        return {targets[0]: parsed}


class _Processor(MessageProcessor):
    """A processor around a stand-in graph (no model: only the parse path is exercised)."""

    def __init__(self, graph: _Graph) -> None:
        self.http_interpreter = None
        self.domain = None
        self.graph_runner = graph  # type: ignore[assignment]
        self.model_metadata = SimpleNamespace(nlu_target="nlu")  # type: ignore[assignment]


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.01)


async def test_the_event_loop_serves_others_while_a_message_is_parsed(installed: None) -> None:
    graph = _Graph()
    parsing = asyncio.ensure_future(_Processor(graph).parse_message(UserMessage("hi", sender_id="ann")))
    await _until(lambda: bool(graph.runs))  # the loop runs while the graph is busy...
    graph.release.set()  # ...and what it does here is what lets the parse finish
    assert (await parsing)["intent"]["name"] == "intent of hi"
    assert len(graph.threads) == 1 and graph.threads[0].startswith(parse_worker.THREAD_NAME)


async def test_without_the_install_the_parse_blocks_the_loop() -> None:
    """The check above can fail: Rasa's method parses on the loop, so nothing else runs meanwhile."""
    graph = _Graph()
    graph.release.set()  # else Rasa's parse would wait forever on the loop's own thread
    await _Processor(graph).parse_message(UserMessage("hi", sender_id="ann"))
    assert graph.threads == [threading.current_thread().name]


async def test_messages_waiting_are_parsed_together_each_getting_its_own(installed: None) -> None:
    graph = _Graph()
    processor = _Processor(graph)
    first = asyncio.ensure_future(processor.parse_message(UserMessage("first", sender_id="ann")))
    await _until(lambda: bool(graph.runs))
    texts = [f"message {number}" for number in range(5)]
    waiting = [asyncio.ensure_future(processor.parse_message(UserMessage(t, sender_id=t))) for t in texts]
    await asyncio.sleep(0.05)
    assert graph.runs == [["first"]]  # one graph run at a time
    graph.release.set()
    answers = await asyncio.gather(first, *waiting)
    assert graph.runs == [["first"], texts]  # the five waiting messages in one run, in order
    assert [answer["intent"]["name"] for answer in answers] == [f"intent of {t}" for t in ["first", *texts]]
    assert [answer["text"] for answer in answers] == ["first", *texts]


async def test_a_message_that_fails_fails_only_its_own_parse(installed: None) -> None:
    graph = _Graph(failing="message 2")
    processor = _Processor(graph)
    first = asyncio.ensure_future(processor.parse_message(UserMessage("first", sender_id="ann")))
    await _until(lambda: bool(graph.runs))
    texts = [f"message {number}" for number in range(4)]
    waiting = [asyncio.ensure_future(processor.parse_message(UserMessage(t, sender_id=t))) for t in texts]
    await asyncio.sleep(0.05)
    graph.release.set()
    answers = await asyncio.gather(first, *waiting, return_exceptions=True)
    assert isinstance(answers[3], ValueError)
    assert [a["text"] for i, a in enumerate(answers) if i != 3] == [
        "first",
        "message 0",
        "message 1",
        "message 3",
    ]
    assert graph.runs[1] == texts and all(len(run) == 1 for run in graph.runs[2:])  # then one by one


async def test_unseen_intents_and_entities_are_warned_about_as_rasa_does(
    installed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rasa.shared.core.domain import Domain

    graph = _Graph()
    graph.release.set()
    processor = _Processor(graph)
    processor.domain = Domain.from_dict({"intents": ["intent of hi"], "entities": ["product"]})
    checked: List[Dict[str, Any]] = []
    rasas = MessageProcessor._check_for_unseen_features

    def rasas_check(self: MessageProcessor, parse_data: Dict[str, Any]) -> None:
        checked.append(parse_data)
        rasas(self, parse_data)

    monkeypatch.setattr(MessageProcessor, "_check_for_unseen_features", rasas_check)
    await processor.parse_message(UserMessage("hi", sender_id="ann"))
    assert checked == []  # nothing to warn about: Rasa's check (and its empty domain) skipped
    with pytest.warns(UserWarning, match="Parsed an intent 'intent of bye'"):
        await processor.parse_message(UserMessage("bye", sender_id="ann"))
    assert len(checked) == 1

    known = {INTENT: {"name": "intent of hi"}, "entities": [{"entity": "product"}, {"entity": None}]}
    assert not parse_worker.has_unseen_features(processor, known)
    assert parse_worker.has_unseen_features(processor, {**known, "entities": [{"entity": "colour"}]})
    assert parse_worker.has_unseen_features(processor, {**known, INTENT: {"name": "refund"}})
    assert parse_worker.has_unseen_features(processor, {INTENT: {}, "entities": []})  # Rasa's to read
    processor.domain = None
    assert not parse_worker.has_unseen_features(processor, {**known, INTENT: {"name": "refund"}})


@pytest.fixture(scope="module")
def processor(trained_model: Path) -> MessageProcessor:
    from rasa.core.agent import Agent

    return Agent.load(str(trained_model)).processor


async def test_the_parse_equals_rasas_on_the_trained_model(processor: MessageProcessor) -> None:
    """Alone, a message's parse is Rasa's exactly; parsed together, the same up to rounding."""
    expected = [await processor.parse_message(UserMessage(text, sender_id="ann")) for text in TEXTS]
    parse_worker.install()
    try:
        alone = [await processor.parse_message(UserMessage(text, sender_id="ann")) for text in TEXTS]
        together = await asyncio.gather(
            *(processor.parse_message(UserMessage(text, sender_id=text)) for text in TEXTS * 2)
        )
    finally:
        parse_worker.uninstall()
    assert alone == expected
    assert [p["intent"]["name"] for p in alone][:2] == ["greet", "order_status"]
    for parsed, rasas in zip(together, expected * 2, strict=True):
        assert parsed["intent"]["name"] == rasas["intent"]["name"]
        assert parsed["entities"] == rasas["entities"]
        confidences = {entry["name"]: entry["confidence"] for entry in rasas["intent_ranking"]}
        assert {entry["name"] for entry in parsed["intent_ranking"]} == set(confidences)
        for entry in parsed["intent_ranking"]:
            assert entry["confidence"] == pytest.approx(confidences[entry["name"]], abs=1e-5)


PAYLOADS = [
    "/human_handoff",
    "/order_status",
    '/order_status{"order_number": "1001", "email": "ava.shopper@example.com"}',
    "/greet@0.7",
    '  /shipping_info{"country": "Canada"}',
    "/order_status{not json",  # Rasa warns and keeps the intent
]
NOT_PAYLOADS = ["/no_such_intent", "/ where is my order", "/"]


async def test_a_payload_is_decided_without_the_graph_as_rasas_handler_decides_it(
    processor: MessageProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rasa's parse: output properties only (all texts), and everything (payloads: the graph's full
    # output of another text carries a fresh message id and token objects, never equal twice)
    cases = [(text, True) for text in PAYLOADS + NOT_PAYLOADS] + [(text, False) for text in PAYLOADS]
    expected = [
        await processor.parse_message(UserMessage(t, sender_id="ann"), None, flag) for t, flag in cases
    ]
    graph_texts: List[str] = []
    original_run = processor.graph_runner.run

    def counting(inputs: Dict[str, Any], targets: List[str]) -> Dict[str, Any]:
        graph_texts.extend(message.text for message in inputs[PLACEHOLDER_MESSAGE])
        return original_run(inputs=inputs, targets=targets)

    monkeypatch.setattr(processor.graph_runner, "run", counting)
    parse_worker.install()
    try:
        parsed = [
            await processor.parse_message(UserMessage(t, sender_id="ann"), None, flag) for t, flag in cases
        ]
    finally:
        parse_worker.uninstall()
    assert parsed == expected
    assert graph_texts == NOT_PAYLOADS  # payloads of known intents never ran the graph
    assert [p["intent"]["name"] for p in expected[:2]] == ["human_handoff", "order_status"]
    assert {e["entity"] for e in expected[2]["entities"]} == {"order_number", "email"}
    assert "in_scope_vocabulary" not in expected[-1]  # Rasa's handler drops what the graph added
