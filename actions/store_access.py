"""How actions reach the store: one session per query, a time limit, and a graceful failure.

Actions call :func:`query_store` with a store function and its keyword arguments. The function
runs in a worker thread (SQLAlchemy is synchronous; the action server's event loop must keep
serving other shoppers) with its own session, and must finish within
``STORE_QUERY_TIMEOUT_SECONDS``. A database that is down, locked or slow raises
:class:`StoreUnavailable`; actions answer that with :func:`apologise_for_store_failure`, which
gives the shopper an apology and a way to a person instead of a stack trace or silence.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Callable, List, Optional, TypeVar

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from core.settings import get_settings
from store.db import session_scope

logger = logging.getLogger(__name__)

T = TypeVar("T")

STORE_FAILURE_RESPONSE = "utter_store_unavailable"


class StoreUnavailable(RuntimeError):
    """The store could not answer (database down, locked, or too slow)."""


def _timeout_seconds() -> float:
    return get_settings().store_query_timeout_seconds


def _run_in_session(function: Callable[..., T], kwargs: dict) -> T:
    with session_scope() as session:
        return function(session, **kwargs)


async def query_store(function: Callable[..., T], /, *, timeout: Optional[float] = None, **kwargs: Any) -> T:
    """Run ``function(session, **kwargs)`` in its own session, in a thread, within the time limit.

    Raises:
        StoreUnavailable: the database failed or the query took longer than the limit.
    """
    limit = timeout if timeout is not None else _timeout_seconds()
    loop = asyncio.get_running_loop()
    call = functools.partial(_run_in_session, function, kwargs)
    try:
        return await asyncio.wait_for(loop.run_in_executor(None, call), limit)
    except asyncio.TimeoutError:
        logger.error("Store query %s took longer than %.1f s", function.__name__, limit)
        raise StoreUnavailable(f"{function.__name__} timed out after {limit:.1f} s") from None
    except SQLAlchemyError as error:
        logger.error("Store query %s failed: %s", function.__name__, error)
        raise StoreUnavailable(f"{function.__name__} failed: {error.__class__.__name__}") from error


def apologise_for_store_failure(dispatcher: CollectingDispatcher) -> List[EventType]:
    """Tell the shopper the store is unreachable right now and offer a person.

    Returns the events an action should return: the ``handoff_reason`` slot records why, so the
    handoff (if the shopper takes the offer) carries the reason to the agent.
    """
    dispatcher.utter_message(response=STORE_FAILURE_RESPONSE)
    return [SlotSet("handoff_reason", "action_failed")]
