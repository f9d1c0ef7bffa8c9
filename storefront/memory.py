"""The loaded model is kept out of Python's garbage collector's full passes.

The Rasa server holds about 600,000 objects that the garbage collector tracks once the model is
loaded (the graph's components, the domain, TensorFlow's and spaCy's modules); none of them ever
becomes garbage while the model serves. Python's oldest generation is collected whenever the
objects that survived the younger ones reach a quarter of it, and every such pass walks all of
them: about 300 ms of CPU on this machine (sixth round, docs/performance.md), during which no
thread of the server runs Python, every few dozen messages under load.

:func:`install` wraps Rasa's ``Agent.load_model`` (the one path of ``rasa run``, ``rasa shell`` and
the model-replacing HTTP API): after a model is loaded, one full collection clears what loading
left behind, then ``gc.freeze()`` moves every surviving object into the permanent generation,
which the collector never walks. Objects created later (trackers, events, requests) are collected
as before; reference counting frees everything as before. Before a model replaces another,
``gc.unfreeze()`` puts the old one back under the collector, so a replaced model is freed. An
agent's first model unfreezes nothing: in a worker forked after the model was loaded
(:mod:`storefront.server`), the frozen objects are that shared model, which a full pass would
copy page by page into the worker.
"""

from __future__ import annotations

import gc
import logging
from functools import wraps
from typing import Any, Callable, List

from rasa.core.agent import Agent

logger = logging.getLogger(__name__)

_original: List[Callable[..., Any]] = []


def freeze_after(load_model: Callable[..., Any]) -> Callable[..., Any]:
    """``load_model``, then a full collection and the surviving objects frozen."""

    @wraps(load_model)
    def load_and_freeze(agent: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(agent, "processor", None) is not None:
            gc.unfreeze()  # the model loaded before (now being replaced) becomes collectable again
        result = load_model(agent, *args, **kwargs)
        gc.collect()
        gc.freeze()
        logger.debug("gc.frozen", extra={"objects": gc.get_freeze_count()})
        return result

    return load_and_freeze


def install() -> None:
    """Freeze the objects of every model Rasa loads (idempotent)."""
    if _original:
        return
    _original.append(Agent.load_model)
    Agent.load_model = freeze_after(Agent.load_model)  # type: ignore[method-assign]


def uninstall() -> None:
    """Put Rasa's own method back (for tests); frozen objects are unfrozen."""
    if _original:
        Agent.load_model = _original.pop()  # type: ignore[method-assign]
        gc.unfreeze()
