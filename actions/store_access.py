"""How actions reach the store, and the one answer they give when it fails.

Actions and validators call :func:`query_store` with a store function and its keyword arguments;
it is :func:`store.runner.run_in_session` with the configured time limit, so a store call either
commits or is rolled back before anything is said about it. A database that is down, locked or too
slow raises :class:`StoreUnavailable`, and actions do not catch it: their ``run`` is decorated with
:func:`answers_store_failure`, the failure policy for every action and form validator:

* the shopper hears ``utter_store_unavailable`` (an apology and a button for a person),
* ``handoff_reason`` becomes ``action_failed``, so a handoff the shopper then asks for says why,
* the action's own ``resets`` are cleared, as its normal ending would clear them,
* an active form ends (it cannot go on without the store, and asking again would fail again);
  a validator also clears every slot this turn filled, because none of it could be checked.

Lookups that only enrich an answer (the recent-order buttons, the size chart check while a form
is still asking) use :func:`query_store_or` and carry on without the data instead.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Awaitable, Callable, Dict, Iterable, List, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from actions.forms import stop_form
from store.codes import HandoffReason
from store.runner import StoreUnavailable, configured_timeout, run_in_session

logger = logging.getLogger(__name__)

T = TypeVar("T")
A = TypeVar("A", bound=Action)
Run = Callable[[A, CollectingDispatcher, Tracker, Dict[str, Any]], Awaitable[List[EventType]]]

STORE_FAILURE_RESPONSE = "utter_store_unavailable"
STORE_FAILURE_REASON = HandoffReason.ACTION_FAILED

__all__ = [
    "STORE_FAILURE_REASON",
    "STORE_FAILURE_RESPONSE",
    "StoreUnavailable",
    "answers_store_failure",
    "query_store",
    "query_store_or",
    "store_failure_events",
]


async def query_store(function: Callable[..., T], /, **kwargs: Any) -> T:
    """Run ``function(session, **kwargs)`` within ``STORE_QUERY_TIMEOUT_SECONDS``.

    Raises:
        StoreUnavailable: the store failed or was too slow; nothing the call wrote was kept.
    """
    return await run_in_session(function, timeout=configured_timeout(), **kwargs)


async def query_store_or(default: T, function: Callable[..., T], /, **kwargs: Any) -> T:
    """As :func:`query_store`, for data the answer can do without: ``default`` when the store fails."""
    try:
        return await query_store(function, **kwargs)
    except StoreUnavailable as error:
        logger.warning("store.optional_lookup_skipped error=%s", error)
        return default


def store_failure_events(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, resets: Iterable[str] = (), in_form: bool = False
) -> List[EventType]:
    """Apologise, offer a person, and return the events that end the failed step.

    Args:
        dispatcher: where the apology goes.
        tracker: the conversation (its active form, if any, is ended).
        resets: slots to clear, as the action's normal ending would.
        in_form: the caller is the form's own validator (the form ends even before Rasa has
            recorded it as active, on the turn that activates it).
    """
    dispatcher.utter_message(response=STORE_FAILURE_RESPONSE)
    events: List[EventType] = [SlotSet(slot, None) for slot in resets]
    events.append(SlotSet("handoff_reason", STORE_FAILURE_REASON))
    if in_form or (tracker.active_loop or {}).get("name"):
        events += stop_form()
    return events


def answers_store_failure(*resets: str) -> Callable[[Run[A]], Run[A]]:
    """Decorate an action's or a validator's ``run`` with the store failure policy.

    Args:
        *resets: slots the action clears when the store fails (a validator clears the slots of
            this turn by itself).
    """

    def decorate(run: Run[A]) -> Run[A]:
        @functools.wraps(run)
        async def guarded(
            self: A, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
        ) -> List[EventType]:
            try:
                return await run(self, dispatcher, tracker, domain)
            except StoreUnavailable as error:
                logger.error("action.store_failed action=%s error=%s", self.name(), error)
                if isinstance(self, ValidationAction):
                    unchecked = [*resets, *tracker.slots_to_validate()]
                    return store_failure_events(dispatcher, tracker, resets=unchecked, in_form=True)
                return store_failure_events(dispatcher, tracker, resets=resets)

        guarded.answers_store_failure = True  # type: ignore[attr-defined]
        return guarded

    return decorate
