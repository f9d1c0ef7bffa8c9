"""RulePolicy's description of the dialogue states, written only when its debug log is read.

Before every prediction RulePolicy 3.6 formats all the conversation's dialogue states as text
(``Policy.format_tracker_states``: a line per state, each user message's entities written out) for
one debug log event, ``rule_policy.actions.find``. The text is built whether or not debug logging
is on; under load that was about 1.3% of the Rasa server's time holding the GIL, for a log line no
one reads (docs/performance.md, sixteenth round).

:func:`install` gives ``RulePolicy`` a ``format_tracker_states`` that returns Rasa's text when the
event could be written, and an empty string when it could not. Rasa's structlog configuration
drops a debug event in ``structlog.stdlib.filter_by_level`` unless the standard library logger
behind it is enabled for DEBUG, so the text is built whenever the policy's logger or the root
logger (``rasa --debug``, ``LOG_LEVEL=DEBUG``) is enabled for DEBUG, exactly as before. Nothing
else reads the text: the prediction is the same either way.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa.core.policies import rule_policy
from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RulePolicy

_installed: List[bool] = []


def _debug_is_read() -> bool:
    policy_logger, root = logging.getLogger(rule_policy.__name__), logging.getLogger()
    return policy_logger.isEnabledFor(logging.DEBUG) or root.isEnabledFor(logging.DEBUG)


def format_tracker_states(states: List[Dict[str, Any]]) -> str:
    """Rasa's ``Policy.format_tracker_states`` when a debug log could show it, else ``""``."""
    if _debug_is_read():
        return Policy.format_tracker_states(states)
    return ""


def install() -> None:
    """Let RulePolicy skip the debug-only text when debug logging is off (idempotent)."""
    if _installed:
        return
    _installed.append(True)
    RulePolicy.format_tracker_states = staticmethod(format_tracker_states)  # type: ignore[method-assign]


def uninstall() -> None:
    """Put Rasa's own method back (for tests)."""
    if _installed:
        _installed.pop()
        del RulePolicy.format_tracker_states  # RulePolicy inherits Policy's again
