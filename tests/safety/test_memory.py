"""A loaded model is frozen out of the garbage collector's passes; a replaced one is freed."""

from __future__ import annotations

import gc
import weakref
from typing import Any, Iterator, List

import pytest
from rasa.core.agent import Agent

from storefront import memory


class _Model:
    """Stands for a loaded model: objects in a reference cycle, as graph components are."""

    def __init__(self) -> None:
        self.parts: List[Any] = [{"owner": self} for _ in range(1000)]


frozen_while_loading: List[int] = []


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[List[_Model]]:
    loaded: List[_Model] = []

    def load_model(agent: Any, model_path: str, fingerprint: Any = None) -> None:
        frozen_while_loading.append(gc.get_freeze_count())
        agent.model = agent.processor = _Model()  # Rasa's load_model sets agent.processor
        loaded.append(agent.model)

    monkeypatch.setattr(Agent, "load_model", load_model)
    memory.install()
    memory.install()  # idempotent: wrapped once
    try:
        yield loaded
    finally:
        memory.uninstall()
        gc.unfreeze()


def test_a_loaded_model_is_frozen_and_the_garbage_of_loading_collected(loads: List[_Model]) -> None:
    class Agentish:
        model: Any = None
        processor: Any = None

    leftover = _Model()  # garbage in a cycle, as loading leaves some
    gone = weakref.ref(leftover)
    del leftover
    agent = Agentish()
    frozen_before = gc.get_freeze_count()
    Agent.load_model(agent, "model.tar.gz")  # type: ignore[arg-type]
    assert gone() is None  # collected before freezing, not frozen for good
    assert gc.get_freeze_count() >= frozen_before + len(agent.model.parts)
    assert gc.get_count()[2] == 0


def test_a_replaced_model_is_freed(loads: List[_Model]) -> None:
    class Agentish:
        model: Any = None
        processor: Any = None

    agent = Agentish()
    Agent.load_model(agent, "first.tar.gz")  # type: ignore[arg-type]
    first = weakref.ref(loads.pop())
    Agent.load_model(agent, "second.tar.gz")  # type: ignore[arg-type]  # replaces agent.model
    assert first() is None  # the first model's cycle was unfrozen and collected
    assert loads[0] is agent.model


def test_uninstall_puts_rasas_method_back(monkeypatch: pytest.MonkeyPatch) -> None:
    rasas = Agent.load_model
    memory.install()
    assert Agent.load_model is not rasas
    memory.uninstall()
    assert Agent.load_model is rasas


def test_a_first_model_leaves_what_was_frozen_before_frozen(loads: List[_Model]) -> None:
    """In a worker forked after the model was loaded once (storefront.server), the frozen objects
    are that shared model: the worker's first load must not put them back under the collector."""

    class Agentish:
        model: Any = None
        processor: Any = None

    shared = _Model()
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    Agent.load_model(Agentish(), "model.tar.gz")  # type: ignore[arg-type]
    # Nothing was unfrozen before loading: an unfreeze empties the permanent generation (a million
    # objects here). A frozen object that dies meanwhile leaves it too (the suite's other threads
    # free a few now and then; CI once saw two), so a handful fewer is not an unfreeze.
    assert frozen - 100 <= frozen_while_loading[-1] <= frozen
    assert gc.get_freeze_count() >= frozen + len(shared.parts)
