"""When the action server cannot answer, the Rasa server apologises and offers a person by itself.

Rasa 3.6 runs every custom action through :class:`rasa.core.actions.action.RemoteAction` (also
form validation and custom slot mappings). When the call fails, ``RemoteAction.run`` raises, the
processor logs the error and drops the action's events, and the shopper hears nothing. There is
no setting or hook for that case, so :func:`install` wraps ``RemoteAction.run`` once at start-up:
when the action server is unreachable, times out or answers with an HTTP error, the action
returns ``utter_assistant_unavailable`` (an apology and a "Talk to a person" button, uttered
through Rasa's own response path so the bot event carries ``utter_action``) and sets
``handoff_reason`` to ``action_failed`` so a person picks the conversation up with the reason.

When the failed action is a form's validation (``validate_<form>``), it also returns
``ActiveLoop(None)``, Rasa's documented way for a validation to stop its form: otherwise the form
would drop the shopper's answer and ask the same question again after the apology.

HTTP 400 is left alone: it is how an action rejects its execution, which Rasa handles itself.
The apology is said at most once per shopper message, however many actions fail in that turn.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Awaitable, Callable, List, Optional

import aiohttp
from rasa.core.actions.action import RemoteAction
from rasa.nlu.constants import RESPONSE_SELECTOR_UTTER_ACTION_KEY as UTTER_ACTION_KEY
from rasa.shared.core.events import ActiveLoop, BotUttered, Event, SlotSet, UserUttered
from rasa.utils.endpoints import ClientResponseError

from store.codes import HandoffReason

if TYPE_CHECKING:
    from rasa.core.channels.channel import OutputChannel
    from rasa.core.nlg import NaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

APOLOGY_RESPONSE = "utter_assistant_unavailable"
HANDOFF_REASON_SLOT = "handoff_reason"
HANDOFF_REASON = HandoffReason.ACTION_FAILED.value
FORM_VALIDATION_PREFIX = "validate_"

RunMethod = Callable[..., Awaitable[List[Event]]]
_original_run: List[RunMethod] = []


def action_server_failed(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) means the action server gave no usable answer."""
    seen: Optional[BaseException] = error
    while seen is not None:
        if isinstance(seen, (aiohttp.ClientConnectionError, asyncio.TimeoutError)):
            return True
        if isinstance(seen, ClientResponseError):
            return seen.status != 400
        seen = seen.__cause__ or seen.__context__
    return False


def _apologised_this_turn(tracker: DialogueStateTracker) -> bool:
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and event.metadata.get(UTTER_ACTION_KEY) == APOLOGY_RESPONSE:
            return True
    return False


async def apology_events(
    output_channel: OutputChannel,
    nlg: NaturalLanguageGenerator,
    tracker: DialogueStateTracker,
    domain: Domain,
) -> List[Event]:
    """The apology (unless already said since the shopper's last message) and the handoff reason."""
    events: List[Event] = []
    if not _apologised_this_turn(tracker):
        spoken = await RemoteAction._utter_responses(
            [{"response": APOLOGY_RESPONSE}], output_channel, nlg, tracker
        )
        events.extend(spoken)
    if any(slot.name == HANDOFF_REASON_SLOT for slot in domain.slots):
        events.append(SlotSet(HANDOFF_REASON_SLOT, HANDOFF_REASON))
    return events


async def _run_or_apologise(
    self: RemoteAction,
    output_channel: OutputChannel,
    nlg: NaturalLanguageGenerator,
    tracker: DialogueStateTracker,
    domain: Domain,
    *args: Any,
    **kwargs: Any,
) -> List[Event]:
    try:
        return await _original_run[0](self, output_channel, nlg, tracker, domain, *args, **kwargs)
    except Exception as error:
        if not action_server_failed(error):
            raise
        logger.error(
            "action_server.unavailable action=%s error=%s; the shopper gets %s",
            self.name(), type(error.__cause__ or error.__context__ or error).__name__, APOLOGY_RESPONSE,
        )  # fmt: skip
        events = await apology_events(output_channel, nlg, tracker, domain)
        if self.name().startswith(FORM_VALIDATION_PREFIX):
            events.append(ActiveLoop(None))
        return events


def install() -> None:
    """Make every custom action apologise instead of failing silently (idempotent)."""
    if _original_run:
        return
    _original_run.append(RemoteAction.run)
    RemoteAction.run = _run_or_apologise  # type: ignore[method-assign]


def uninstall() -> None:
    """Put Rasa's own ``RemoteAction.run`` back (for tests)."""
    if _original_run:
        RemoteAction.run = _original_run.pop()  # type: ignore[method-assign]


__all__ = ["APOLOGY_RESPONSE", "action_server_failed", "apology_events", "install", "uninstall"]
