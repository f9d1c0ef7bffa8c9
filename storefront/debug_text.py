"""Text for debug logs built only when a debug log can show it.

Rasa 3.6 builds some debug log events' text whether or not debug logging is on, on every message:

- RulePolicy, before every prediction, formats all the conversation's dialogue states
  (``Policy.format_tracker_states``: a line per state, each user message's entities written out)
  for the event ``rule_policy.actions.find``;
- the processor, after the message is parsed and after every action, writes every slot's name and
  value into one text for ``processor.slots.log`` (``MessageProcessor._log_slots``).

Under load those were about 1.3% and 0.5% of the Rasa server's time holding the GIL, for log lines
no one reads (docs/performance.md, sixteenth round). Rasa's structlog configuration drops a debug
event in ``structlog.stdlib.filter_by_level`` unless the standard-library logger behind it is
enabled for DEBUG. :func:`install` replaces both methods by ones that do Rasa's work when the
module's logger or the root logger is enabled for DEBUG (``rasa --debug``, ``LOG_LEVEL=DEBUG``, a
logger configured for it) and nothing otherwise: the same log lines are written as before, and
nothing else reads the text.

The same holds for the deep copies Rasa makes of a debug event's arguments (the memoization
states before every prediction, an action's events after it, the slot extraction's events, the
parse's entities, a form's slot candidates): about 2% of the workers' GIL samples under load for
copies that are dropped with the event. In the modules whose every ``copy.deepcopy`` is such an
argument (:data:`DEBUG_COPY_MODULES`; ``tests/safety/test_debug_text.py`` reads their source to
keep it so), ``copy`` is :class:`DebugOnlyCopy`: a deep copy when the module's debug log is read,
the value itself otherwise.
"""

from __future__ import annotations

import copy
import logging
from types import ModuleType
from typing import Any, Dict, List, Optional, Tuple

from rasa.core import processor
from rasa.core.actions import forms
from rasa.core.policies import memoization, rule_policy
from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

_original_log_slots: List[Any] = []

DEBUG_COPY_MODULES: Tuple[ModuleType, ...] = (processor, memoization, rule_policy, forms)
"""Rasa modules whose ``copy.deepcopy`` calls are all arguments of ``structlogger.debug``."""


def debug_is_read(module_name: str) -> bool:
    """Whether a debug event logged from ``module_name`` can pass Rasa's level filter."""
    module_logger, root = logging.getLogger(module_name), logging.getLogger()
    return module_logger.isEnabledFor(logging.DEBUG) or root.isEnabledFor(logging.DEBUG)


def format_tracker_states(states: List[Dict[str, Any]]) -> str:
    """Rasa's ``Policy.format_tracker_states`` when a debug log could show it, else ``""``."""
    if debug_is_read(rule_policy.__name__):
        return Policy.format_tracker_states(states)
    return ""


def log_slots(tracker: DialogueStateTracker) -> None:
    """Rasa's ``MessageProcessor._log_slots`` when a debug log could show it."""
    if debug_is_read(processor.__name__):
        _original_log_slots[0].__func__(tracker)


class DebugOnlyCopy:
    """What one of :data:`DEBUG_COPY_MODULES` sees as ``copy``: it deep-copies only for a read log."""

    def __init__(self, module_name: str) -> None:
        self.module_name = module_name

    def deepcopy(self, value: Any, memo: Optional[Dict[int, Any]] = None) -> Any:
        """``copy.deepcopy(value)`` when the module's debug log can show it, else ``value`` itself."""
        if debug_is_read(self.module_name):
            return copy.deepcopy(value, memo)
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)  # anything else is the copy module's


def install() -> None:
    """Build the debug-only texts only when debug logging is on (idempotent)."""
    if _original_log_slots:
        return
    _original_log_slots.append(MessageProcessor.__dict__["_log_slots"])  # the staticmethod itself
    MessageProcessor._log_slots = staticmethod(log_slots)  # type: ignore[method-assign]
    RulePolicy.format_tracker_states = staticmethod(format_tracker_states)  # type: ignore[method-assign]
    for module in DEBUG_COPY_MODULES:
        module.copy = DebugOnlyCopy(module.__name__)  # type: ignore[attr-defined]


def uninstall() -> None:
    """Put Rasa's own methods back (for tests)."""
    if _original_log_slots:
        MessageProcessor._log_slots = _original_log_slots.pop()  # type: ignore[method-assign]
        del RulePolicy.format_tracker_states  # RulePolicy inherits Policy's again
        for module in DEBUG_COPY_MODULES:
            module.copy = copy  # type: ignore[attr-defined]
