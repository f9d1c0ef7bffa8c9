"""What the Rasa server installs in itself before it serves anyone.

Rasa has no start-up hook for project code, so :class:`storefront.scaling.SwitchableEventBroker`
(which ``endpoints.yml`` always names, and which Rasa builds before it loads the model, in both
``rasa run`` and ``rasa shell``) calls :func:`install_safeguards`.
"""

from __future__ import annotations

from core import redact
from storefront import (
    action_fallback,
    action_session,
    action_validation,
    debug_text,
    graph_runner,
    markup,
    memory,
    parse_worker,
    rule_index,
    tracking,
)


def install_safeguards() -> None:
    """Redact contact details from the logs, apologise when the action server is down, check the action
    server's answers with a schema validator compiled once, keep its connections open, and parse
    messages in a worker thread beside the event loop with one BLAS thread, read a message's visible
    text when it holds HTML markup, run the model graph in the order dask chose once (not scheduled
    again per message), build forms' validation trackers from the windowed tracker's state (not a
    replay of the window) and new conversations' trackers windowed from their first event, match
    RulePolicy's rules through an index of their last states, leave out the debug-only texts of
    RulePolicy's states and the processor's slots when no debug log can show them, and keep a loaded
    model out of the garbage collector's full passes."""
    redact.install()
    action_fallback.install()
    action_validation.install()
    action_session.install()
    parse_worker.limit_blas_threads()
    parse_worker.install()
    markup.install()
    graph_runner.install()
    tracking.install()
    rule_index.install()
    debug_text.install()
    memory.install()
