"""Rasa's model graph runs in the order dask chose once (storefront/graph_runner.py).

On the trained model, the replayed runs must give exactly what dask's runs give, for the NLU and
for the policies, call the same nodes in the same order, and ask dask only once per set of targets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from storefront import graph_runner, parse_worker

pytestmark = pytest.mark.asyncio

TEXTS = [
    "hi",
    "where is my order?",
    "#1001",
    "ava.shopper@example.com",
    "do you ship to canada",
    "what is your return policy",
    "what size should i get",
    "is the black hoodie in stock",
    "am i talking to a real person",
    "thanks",
    "🙂",
]


@pytest.fixture(scope="module")
def processor(trained_model: Path) -> MessageProcessor:
    from rasa.core.agent import Agent

    parse_worker.uninstall()  # Rasa's parse on the event loop: the graph runner alone is compared
    graph_runner.uninstall()
    return Agent.load(str(trained_model)).processor


@pytest.fixture
def node_calls(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """The names of the graph nodes called, in order (under dask and under the replay alike)."""
    calls: List[str] = []
    original = GraphNode.__call__

    def recording(self: GraphNode, *inputs: Any) -> Tuple[str, Any]:
        calls.append(self._node_name)
        return original(self, *inputs)

    monkeypatch.setattr(GraphNode, "__call__", recording)
    return calls


@pytest.fixture
def installed() -> Iterator[None]:
    graph_runner.install()
    try:
        yield
    finally:
        graph_runner.uninstall()


async def _parses(processor: MessageProcessor) -> List[Dict[str, Any]]:
    return [await processor.parse_message(UserMessage(text, sender_id="ann")) for text in TEXTS]


async def _predictions(
    processor: MessageProcessor, parses: List[Dict[str, Any]]
) -> List[Tuple[PolicyPrediction, ...]]:
    """For each message: the policies' prediction after it, and after the action they chose."""
    predictions = []
    for parse in parses:
        events: List[Event] = [
            ActionExecuted(ACTION_LISTEN_NAME),
            UserUttered(parse["text"], parse["intent"], parse["entities"], parse),
        ]
        tracker = DialogueStateTracker.from_events("ann", events, slots=processor.domain.slots)
        first = processor._predict_next_with_tracker(tracker)
        action = processor.domain.action_names_or_texts[first.max_confidence_index]
        tracker.update(ActionExecuted(action))
        predictions.append((first, processor._predict_next_with_tracker(tracker)))
    return predictions


async def test_the_replayed_runs_give_what_dasks_runs_give(
    processor: MessageProcessor, node_calls: List[str]
) -> None:
    expected_parses = await _parses(processor)
    expected_predictions = await _predictions(processor, expected_parses)
    dask_calls = list(node_calls)
    assert dask_calls  # the recording sees the nodes

    graph_runner.install()
    try:
        for _ in range(2):  # the first run records dask's order, the second replays it
            node_calls.clear()
            parses = await _parses(processor)
            predictions = await _predictions(processor, parses)
            assert parses == expected_parses
            assert predictions == expected_predictions
            assert node_calls == dask_calls
    finally:
        graph_runner.uninstall()


async def test_dask_is_asked_once_per_set_of_targets(
    processor: MessageProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rasa.engine.runner import dask as rasa_dask_runner

    dask = rasa_dask_runner.dask  # dask, as Rasa's runner imports it (not a declared dependency)
    runs: List[Any] = []
    original = dask.get

    def counting(graph: Dict[str, Any], targets: List[str]) -> Any:
        runs.append(targets)
        return original(graph, targets)

    monkeypatch.setattr(dask, "get", counting)
    runner = DaskGraphRunner.__new__(DaskGraphRunner)
    runner.__dict__.update(processor.graph_runner.__dict__)  # same nodes, no recorded plans yet
    runner.__dict__.pop("_storefront_plans", None)
    processor.graph_runner = runner
    graph_runner.install()
    try:
        await _predictions(processor, await _parses(processor))
    finally:
        graph_runner.uninstall()
    nlu, core = processor.model_metadata.nlu_target, processor.model_metadata.core_target
    assert sorted(map(tuple, runs)) == sorted([(nlu,), (core,)])


async def test_an_input_named_like_a_node_is_refused_as_rasa_refuses_it(
    processor: MessageProcessor, installed: None
) -> None:
    target = processor.model_metadata.core_target
    tracker = DialogueStateTracker.from_events("ann", [ActionExecuted(ACTION_LISTEN_NAME)])
    processor.graph_runner.run(inputs={PLACEHOLDER_TRACKER: tracker}, targets=[target])  # recorded
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        processor.graph_runner.run(inputs={PLACEHOLDER_TRACKER: target}, targets=[target])


async def test_a_failing_node_fails_the_run_as_under_dask(
    processor: MessageProcessor, installed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = processor.model_metadata.nlu_target
    message = UserMessage("hi", sender_id="ann")
    await processor.parse_message(message)  # recorded

    def failing(self: GraphNode, *inputs: Any) -> Tuple[str, Any]:
        raise RuntimeError("node down")

    monkeypatch.setattr(GraphNode, "__call__", failing)
    with pytest.raises(GraphRunError):
        processor.graph_runner.run(inputs={PLACEHOLDER_MESSAGE: [message]}, targets=[target])
