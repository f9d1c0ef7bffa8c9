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

Messages that arrive while the thread is busy are parsed together, in one run of the NLU graph
(at most :data:`MAX_BATCH`): Rasa's NLU components take lists of messages (training runs them that
way) and the NLU graph reads nothing but the messages, so each message gets what it would get
alone, except that the encoder's batched matrix products round differently in the last bits (the
embedding moves by about 3e-7; ``tests/safety/test_parse_worker.py`` bounds the probabilities). A
batch of ten costs the encoder about half of ten single messages: the weights (45 MB) are read
once per layer for all of them. A message whose batch fails is parsed again alone, so one bad
message fails only its own request, as before.

What stays the same: the graph, its components and their output; one graph run at a time (the
thread is the only one that runs NLU components, as the event loop was before, so no component
has to be thread-safe); the steps Rasa takes after the graph (the full retrieval intent, its debug
log line, the check for unseen features) are Rasa's own methods, called in Rasa's order. A
conversation still waits for its own parse: its message handling holds the conversation's lock
and awaits the result. An HTTP NLU interpreter (``http_interpreter``) is left to Rasa's method.

A message the graph's last node decides alone never reaches the graph: a button's payload
(``/intent{"entity": "value"}`` naming an intent of the domain) is answered by Rasa's
``RegexMessageHandler``, which returns a new message built from the text alone (intent, ranking,
entities), so nothing the components before it computed (the sentence encoder's product included)
is in the result. :func:`decided_by_payload` computes that message the way the handler does, with
the same domain and extractor name, and only when the model's NLU target is that handler; a text
that starts with ``/`` but is not a payload of a known intent goes through the graph as before.

:func:`limit_blas_threads` keeps numpy's BLAS to one thread: the matrices of one message are small,
and on a shared two-core machine OpenBLAS's second thread spins waiting for work against the event
loop instead of speeding anything up.
"""

from __future__ import annotations

import asyncio
import copy
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor, structlogger
from rasa.engine.constants import PLACEHOLDER_MESSAGE
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

THREAD_NAME = "storefront-nlu"

MAX_BATCH = 16
"""Messages parsed in one run of the NLU graph, at most."""

_original: List[Callable[..., Any]] = []
_executor: List[ThreadPoolExecutor] = []
_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Dict[int, _ParseQueue]] = (
    weakref.WeakKeyDictionary()
)


def parse_executor() -> ThreadPoolExecutor:
    """The one thread that runs the NLU graph (made on first use, kept for the process's life)."""
    if not _executor:
        _executor.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME))
    return _executor[0]


@dataclass
class _Request:
    message: UserMessage
    only_output_properties: bool
    future: asyncio.Future


class _ParseQueue:
    """The parses waiting for one processor's NLU graph, on one event loop (no locks needed)."""

    def __init__(self, processor: MessageProcessor, loop: asyncio.AbstractEventLoop) -> None:
        self.processor = processor
        self.loop = loop
        self.waiting: List[_Request] = []
        self.running = False

    def submit(self, message: UserMessage, only_output_properties: bool) -> asyncio.Future:
        request = _Request(message, only_output_properties, self.loop.create_future())
        self.waiting.append(request)
        if not self.running:
            self._run_next()
        return request.future

    def _run_next(self) -> None:
        batch, self.waiting = self.waiting[:MAX_BATCH], self.waiting[MAX_BATCH:]
        self.running = bool(batch)
        if batch:
            done = self.loop.run_in_executor(parse_executor(), _parse_batch, self.processor, batch)
            done.add_done_callback(lambda finished: self._answer(batch, finished))

    def _answer(self, batch: List[_Request], finished: asyncio.Future) -> None:
        if finished.cancelled():
            outcomes: List[Any] = [asyncio.CancelledError()] * len(batch)
        elif finished.exception() is not None:
            outcomes = [finished.exception()] * len(batch)
        else:
            outcomes = finished.result()
        for request, outcome in zip(batch, outcomes, strict=True):
            if request.future.done():  # the request was cancelled meanwhile
                continue
            if isinstance(outcome, BaseException):
                request.future.set_exception(outcome)
            else:
                request.future.set_result(outcome)
        self._run_next()


def _queue_for(processor: MessageProcessor) -> _ParseQueue:
    loop = asyncio.get_running_loop()
    queues = _queues.setdefault(loop, {})
    queue = queues.get(id(processor))
    if queue is None or queue.processor is not processor:
        queue = queues[id(processor)] = _ParseQueue(processor, loop)
    return queue


def _run_graph(processor: MessageProcessor, batch: List[_Request]) -> List[Dict[str, Any]]:
    """Rasa's ``_parse_message_with_graph`` for several messages in one run of the NLU graph."""
    target = processor.model_metadata.nlu_target
    results = processor.graph_runner.run(
        inputs={PLACEHOLDER_MESSAGE: [request.message for request in batch]}, targets=[target]
    )
    parsed = []
    for request, message in zip(batch, results[target], strict=True):
        parse_data = _empty_parse()
        parse_data.update(message.as_dict(only_output_properties=request.only_output_properties))
        parsed.append(parse_data)
    return parsed


def _parse_batch(processor: MessageProcessor, batch: List[_Request]) -> List[Any]:
    """Each message's parse data, or the exception its parse alone raised (in the worker thread)."""
    try:
        return _run_graph(processor, batch)
    except Exception as error:  # handed to the waiting request, not swallowed
        if len(batch) == 1:
            return [error]
    outcomes: List[Any] = []
    for request in batch:
        try:
            outcomes.extend(_run_graph(processor, [request]))
        except Exception as error:
            outcomes.append(error)
    return outcomes


def _empty_parse() -> Dict[str, Any]:
    return {TEXT: "", INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, ENTITIES: []}


def decided_by_payload(
    processor: MessageProcessor, message: UserMessage, only_output_properties: bool
) -> Optional[Dict[str, Any]]:
    """The parse of a payload naming a known intent, as the graph's ``RegexMessageHandler`` gives it.

    None when the text is not such a payload or the model's NLU target is another node: then the
    graph decides.
    """
    text = message.text
    if not isinstance(text, str) or not text.strip().startswith(INTENT_MESSAGE_PREFIX):
        return None
    target = processor.model_metadata.nlu_target
    node = processor.model_metadata.predict_schema.nodes.get(target)
    if node is None or node.uses is not RegexMessageHandler or node.fn != "process":
        return None
    domain = processor.domain if "domain" in node.needs else None
    bare = Message(data={TEXT: text})
    unpacked = YAMLStoryReader.unpack_regex_message(
        bare, domain, entity_extractor_name=RegexMessageHandler.__name__
    )
    if unpacked is bare:  # not a payload of a known intent: the handler keeps the graph's message
        return None
    parse_data = _empty_parse()
    parse_data.update(unpacked.as_dict(only_output_properties=only_output_properties))
    return parse_data


def has_unseen_features(processor: MessageProcessor, parse_data: Dict[str, Any]) -> bool:
    """Whether Rasa's ``_check_for_unseen_features`` could warn about ``parse_data`` at all.

    Rasa's check first asks whether the domain is empty, which builds an empty ``Domain`` and
    compares the two as dicts (about 2% of a worker's Python time under load), then warns about an
    intent or entity the domain does not list. Its membership tests are made here first, the same
    way; only a parse that fails one goes to Rasa's method, which then warns exactly as before (or
    not, for an empty domain). Nothing else is skipped: for any other parse Rasa's method warns
    about nothing.
    """
    domain = processor.domain
    if not domain:
        return False
    try:
        intent = parse_data[INTENT][INTENT_NAME_KEY]
        entities = [element["entity"] for element in parse_data[ENTITIES] or []]
    except (KeyError, TypeError):
        return True  # not a parse Rasa's check reads: its method decides, as before
    if intent and intent not in domain.intents:
        return True
    return any(entity and entity not in domain.entities for entity in entities)


async def parse_message_in_worker(
    self: MessageProcessor,
    message: UserMessage,
    tracker: Optional[DialogueStateTracker] = None,
    only_output_properties: bool = True,
) -> Dict[str, Any]:
    """Rasa's ``parse_message``, with the NLU graph run in :func:`parse_executor`'s thread."""
    if self.http_interpreter:
        return await _original[0](self, message, tracker, only_output_properties)
    decided = decided_by_payload(self, message, only_output_properties)
    if decided is not None:
        parse_data = decided
    else:
        parse_data = await _queue_for(self).submit(message, only_output_properties)
    self._update_full_retrieval_intent(parse_data)
    structlogger.debug(
        "processor.message.parse",
        parse_data_text=copy.deepcopy(parse_data["text"]),
        parse_data_intent=parse_data["intent"],
        parse_data_entities=copy.deepcopy(parse_data["entities"]),
    )
    if has_unseen_features(self, parse_data):
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


__all__ = [
    "decided_by_payload",
    "has_unseen_features",
    "install",
    "limit_blas_threads",
    "parse_executor",
    "parse_message_in_worker",
    "uninstall",
]
