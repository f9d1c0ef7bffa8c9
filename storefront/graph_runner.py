"""Run Rasa's model graph in the order dask chose once, without asking dask again on every message.

Rasa 3.6 runs its trained graph with :class:`~rasa.engine.runner.dask.DaskGraphRunner`: every call
of ``run`` (once per message for the NLU, once per predicted action for the policies) builds a dask
graph, lets ``dask.order`` rank every node and steps through dask's local scheduler. For graphs of
a dozen nodes on one thread that bookkeeping costs more than some of the nodes: under load it was
about an eighth of the Rasa server's main thread, ``dask.order`` alone 8.5% (docs/performance.md,
fifth round).

:func:`install` replaces ``DaskGraphRunner.run`` once at start-up (with the other safeguards,
:mod:`storefront.startup`). The first run for a set of targets and input names is dask's own run,
unchanged, with each node wrapped so that the order in which dask called the nodes is written
down. Later runs with the same targets and input names call the same nodes in that same order,
each with the outputs of the nodes it needs, exactly as dask passes them: what runs, in which
order, with which inputs, is what dask did, only without the scheduling. The graph schema is fixed
for the runner's life (a new model is a new runner), so the recorded order stays valid; a node
that needs something neither a node nor an input provides gets the name instead of an output, as
under dask (Rasa's node logs that and raises its own error).

Nothing is kept between runs but node names: every run starts from its own inputs, so no message's
or conversation's data can reach another run. Errors are Rasa's: a node's exception propagates as
it does through dask's synchronous scheduler, a ``RuntimeError`` becomes Rasa's ``GraphRunError``,
and an input named like a node is refused with Rasa's message.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphNode
from rasa.engine.runner import dask as rasa_dask_runner
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.runner.dask import logger as rasa_logger

_original: List[Callable[..., Dict[str, Any]]] = []

PlanKey = Tuple[Tuple[str, ...], FrozenSet[str]]
Step = Tuple[str, GraphNode, Tuple[str, ...]]

_PLANS_ATTRIBUTE = "_storefront_plans"
_plans_lock = threading.Lock()


class _Recording:
    """A node as dask sees it during the recorded run: calls the node, notes its name."""

    def __init__(self, name: str, node: GraphNode, called: List[str]) -> None:
        self.name = name
        self.node = node
        self.called = called

    def __call__(self, *inputs: Any) -> Any:
        self.called.append(self.name)
        return self.node(*inputs)


def _plans(runner: DaskGraphRunner) -> Dict[PlanKey, List[Step]]:
    plans = runner.__dict__.get(_PLANS_ATTRIBUTE)
    if plans is None:
        with _plans_lock:
            plans = runner.__dict__.setdefault(_PLANS_ATTRIBUTE, {})
    return plans


def _check_inputs(inputs: Dict[str, Any], node_names: Sequence[str]) -> None:
    """Rasa's ``_add_inputs_to_graph`` check: an input's value may not be a node's name."""
    for input_value in inputs.values():
        if isinstance(input_value, str) and input_value in node_names:
            raise GraphRunError(
                f"Input value '{input_value}' clashes with a node name. Make sure "
                f"that none of the input names passed to the `run` method are the "
                f"same as node names in the graph schema."
            )


def _record(
    runner: DaskGraphRunner, targets: List[str], inputs: Dict[str, Any]
) -> Tuple[Dict[str, Any], List[Step]]:
    """Dask's run of the graph (Rasa's own steps), and the order dask called the nodes in."""
    schema = runner._graph_schema.minimal_graph_schema(targets)
    called: List[str] = []
    run_graph: Dict[str, Any] = {
        name: (_Recording(name, runner._instantiated_nodes[name], called), *node.needs.values())
        for name, node in schema.nodes.items()
    }
    runner._add_inputs_to_graph(inputs, run_graph)
    try:
        result = dict(rasa_dask_runner.dask.get(run_graph, targets))  # dask as Rasa imports it
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    needs = {name: tuple(node.needs.values()) for name, node in schema.nodes.items()}
    plan = [(name, runner._instantiated_nodes[name], needs[name]) for name in called]
    return result, plan


def _replay(plan: List[Step], targets: List[str], inputs: Dict[str, Any]) -> Dict[str, Any]:
    """Call the nodes in the recorded order, each with its needs' outputs as dask hands them over."""
    outputs: Dict[str, Any] = {name: (name, value) for name, value in inputs.items()}
    for name, node, needs in plan:
        outputs[name] = node(*(outputs.get(need, need) for need in needs))
    return dict(outputs[target] for target in targets)


def run(
    self: DaskGraphRunner,
    inputs: Optional[Dict[str, Any]] = None,
    targets: Optional[List[str]] = None,
) -> Dict[str, Any]:
    """``DaskGraphRunner.run``: dask's node order, recorded on the first run, replayed after."""
    run_targets = list(targets if targets else self._graph_schema.target_names)
    inputs = inputs or {}
    if rasa_logger.isEnabledFor(logging.DEBUG):
        rasa_logger.debug(
            f"Running graph with inputs: {inputs}, targets: {targets} and {self._execution_context}."
        )
    plans = _plans(self)
    key: PlanKey = (tuple(run_targets), frozenset(inputs))
    plan = plans.get(key)
    if plan is None:
        result, recorded = _record(self, run_targets, inputs)
        plans[key] = recorded
        return result
    _check_inputs(inputs, [name for name, _, _ in plan])
    try:
        return _replay(plan, run_targets, inputs)
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e


def install() -> None:
    """Replace ``DaskGraphRunner.run`` (idempotent)."""
    if _original:
        return
    _original.append(DaskGraphRunner.run)
    DaskGraphRunner.run = run  # type: ignore[method-assign]


def uninstall() -> None:
    """Put Rasa's own method back (for tests)."""
    if _original:
        DaskGraphRunner.run = _original.pop()  # type: ignore[method-assign]


__all__ = ["install", "run", "uninstall"]
