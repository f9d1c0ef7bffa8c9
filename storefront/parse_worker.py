"""Messages are understood in one worker thread beside the event loop, not on it.

Rasa 3.6's :meth:`~rasa.core.processor.MessageProcessor.parse_message` is a coroutine that runs the
whole NLU graph synchronously, so while one message is parsed the server's event loop does nothing
else: no other conversation's tracker is read or saved, no reply is sent, no action server answer
is taken in. Since the sentence encoder (:mod:`storefront.nlu.minilm`) joined the pipeline, most of
a message's parse is its matrix products (about 20 ms of CPU per message, more than half of the
server's main thread under load, docs/performance.md), which numpy computes without holding the
GIL. :func:`install` replaces ``parse_message`` once at start-up (with the other safeguards,
:mod:`storefront.startup`) by one that runs Rasa's own ``_parse_message_with_graph`` in a single
dedicated thread and awaits it: the event loop serves the other conversations meanwhile, and on
two cores the encoder's arithmetic and the loop's work run at the same time.

What stays the same: the graph, its components and their output; one message is parsed at a time
(the thread is the only one that runs NLU components, as the event loop was before, so no
component has to be thread-safe); the steps Rasa takes after the graph (the full retrieval intent,
its debug log line, the check for unseen features) are Rasa's own methods, called in Rasa's order.
A conversation still waits for its own parse: its message handling holds the conversation's lock
and awaits the result. An HTTP NLU interpreter (``http_interpreter``) is left to Rasa's method.

:func:`limit_blas_threads` keeps numpy's BLAS to one thread: the matrices of one message are small,
and on a shared two-core machine OpenBLAS's second thread spins waiting for work against the event
loop instead of speeding anything up.
"""

from __future__ import annotations

import asyncio
import copy
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor, structlogger
from rasa.shared.core.trackers import DialogueStateTracker

THREAD_NAME = "storefront-nlu"

_original: List[Callable[..., Any]] = []
_executor: List[ThreadPoolExecutor] = []


def parse_executor() -> ThreadPoolExecutor:
    """The one thread that runs the NLU graph (made on first use, kept for the process's life)."""
    if not _executor:
        _executor.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME))
    return _executor[0]


async def parse_message_in_worker(
    self: MessageProcessor,
    message: UserMessage,
    tracker: Optional[DialogueStateTracker] = None,
    only_output_properties: bool = True,
) -> Dict[str, Any]:
    """Rasa's ``parse_message``, with the NLU graph run in :func:`parse_executor`'s thread."""
    if self.http_interpreter:
        return await _original[0](self, message, tracker, only_output_properties)
    if tracker is None:
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
    parse_data: Dict[str, Any] = await asyncio.get_running_loop().run_in_executor(
        parse_executor(), self._parse_message_with_graph, message, tracker, only_output_properties
    )
    self._update_full_retrieval_intent(parse_data)
    structlogger.debug(
        "processor.message.parse",
        parse_data_text=copy.deepcopy(parse_data["text"]),
        parse_data_intent=parse_data["intent"],
        parse_data_entities=copy.deepcopy(parse_data["entities"]),
    )
    self._check_for_unseen_features(parse_data)
    return parse_data


def limit_blas_threads() -> None:
    """One BLAS thread for the process (numpy's and scipy's OpenBLAS)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def install() -> None:
    """Parse messages in the worker thread (idempotent)."""
    if _original:
        return
    _original.append(MessageProcessor.parse_message)
    MessageProcessor.parse_message = parse_message_in_worker  # type: ignore[method-assign]


def uninstall() -> None:
    """Put Rasa's own method back (for tests)."""
    if _original:
        MessageProcessor.parse_message = _original.pop()  # type: ignore[method-assign]


__all__ = ["install", "limit_blas_threads", "parse_executor", "parse_message_in_worker", "uninstall"]
