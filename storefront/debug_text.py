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
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa.core import processor
from rasa.core.policies import rule_policy
from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

_original_log_slots: List[Any] = []


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


def install() -> None:
    """Build the debug-only texts only when debug logging is on (idempotent)."""
    if _original_log_slots:
        return
    _original_log_slots.append(MessageProcessor.__dict__["_log_slots"])  # the staticmethod itself
    MessageProcessor._log_slots = staticmethod(log_slots)  # type: ignore[method-assign]
    RulePolicy.format_tracker_states = staticmethod(format_tracker_states)  # type: ignore[method-assign]


def uninstall() -> None:
    """Put Rasa's own methods back (for tests)."""
    if _original_log_slots:
        MessageProcessor._log_slots = _original_log_slots.pop()  # type: ignore[method-assign]
        del RulePolicy.format_tracker_states  # RulePolicy inherits Policy's again
