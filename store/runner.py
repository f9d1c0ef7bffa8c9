"""Run one store call off the event loop: one session, one deadline, one failure.

Every async caller (the action server, form validators, the agent console, the storefront page)
reaches the store through :func:`run_in_session`. SQLAlchemy is synchronous, so the call runs in a
worker thread with its own session (:func:`store.db.session_scope`: commit on success, roll back on
error).

Why the deadline lives inside the database work: giving up on the *thread* at the deadline
(``asyncio.wait_for``) leaves its transaction running, so a cancel that waited on a lock could
commit after the shopper was told the store was unavailable. Here the deadline bounds the database
itself (SQLite: the busy timeout and a progress handler that interrupts a statement; PostgreSQL:
``statement_timeout`` and ``lock_timeout`` for the transaction), a unit of work still running at
the deadline is rolled back instead of committed, and the caller always waits for the thread's
transaction to end. The outcome of that transaction decides the answer: a result means it
committed, :class:`StoreUnavailable` means nothing was written.

The one thing no client can know is whether a ``COMMIT`` whose connection died on the way
committed; that case is reported as :class:`StoreUnavailable`, as every database client must.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core.settings import get_settings
from store.db import session_scope

logger = logging.getLogger(__name__)

T = TypeVar("T")

SQLITE_PROGRESS_STEPS = 1_000
"""SQLite virtual-machine steps between deadline checks (cheap; a step is well under a microsecond)."""

SQLITE_DEFAULT_BUSY_MS = 30_000
"""The busy timeout ``store.db`` gives every SQLite connection, restored after each call."""


class StoreUnavailable(RuntimeError):
    """The store could not answer in time, or failed; nothing the call wrote was kept."""


class DeadlinePassed(RuntimeError):
    """The unit of work was still running at its deadline (it is rolled back, never committed)."""


def configured_timeout() -> float:
    """``STORE_QUERY_TIMEOUT_SECONDS``: the time limit every caller gives a store call."""
    return get_settings().store_query_timeout_seconds


def _remaining(deadline: float) -> float:
    return deadline - time.monotonic()


@contextmanager
def _sqlite_deadline(connection: Connection, deadline: float) -> Iterator[None]:
    """Bound lock waits by the busy timeout and running statements by a progress handler."""
    raw = connection.connection.dbapi_connection
    raw.execute(f"PRAGMA busy_timeout={max(1, int(_remaining(deadline) * 1000))}")
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), SQLITE_PROGRESS_STEPS)
    try:
        yield
    finally:
        raw.set_progress_handler(None, SQLITE_PROGRESS_STEPS)
        raw.execute(f"PRAGMA busy_timeout={SQLITE_DEFAULT_BUSY_MS}")


@contextmanager
def _server_deadline(connection: Connection, deadline: float) -> Iterator[None]:
    """PostgreSQL: no statement or lock wait of this transaction may outlast the deadline."""
    milliseconds = str(max(1, int(_remaining(deadline) * 1000)))
    for name in ("statement_timeout", "lock_timeout"):
        # set_config(..., true) is SET LOCAL: it ends with the transaction, pooled connections keep
        # the server default
        connection.execute(
            text("SELECT set_config(:name, :value, true)"), {"name": name, "value": milliseconds}
        )
    yield


@contextmanager
def _deadline_guard(session: Session, deadline: float) -> Iterator[None]:
    """Enforce ``deadline`` inside the session's database work, whatever the dialect."""
    connection = session.connection()

    def before_statement(*_: Any) -> None:
        if time.monotonic() > deadline:
            raise DeadlinePassed("the deadline passed between two statements")

    event.listen(connection, "before_cursor_execute", before_statement)
    bound = _sqlite_deadline if connection.dialect.name == "sqlite" else _server_deadline
    try:
        with bound(connection, deadline):
            yield
    finally:
        event.remove(connection, "before_cursor_execute", before_statement)


def _unit_of_work(function: Callable[..., T], kwargs: dict, deadline: float) -> T:
    """Run ``function(session, **kwargs)``; commit only if it finished before the deadline."""
    if time.monotonic() > deadline:
        raise DeadlinePassed("the deadline passed before a worker thread was free")
    with session_scope() as session:
        with _deadline_guard(session, deadline):
            result = function(session, **kwargs)
            session.flush()
        if time.monotonic() > deadline:
            raise DeadlinePassed("the work finished after the deadline")  # session_scope rolls back
        return result  # session_scope commits


async def run_in_session(function: Callable[..., T], /, *, timeout: float, **kwargs: Any) -> T:
    """Run ``function(session, **kwargs)`` in its own session on a worker thread, within ``timeout``.

    The coroutine returns only once the thread's transaction has committed or rolled back, so the
    answer always matches what the database kept.

    Args:
        function: a store function taking a session and keyword arguments.
        timeout: seconds the whole unit of work may take, lock waits included.
        **kwargs: passed to ``function``.

    Returns:
        What ``function`` returned (its writes are committed).

    Raises:
        StoreUnavailable: the database failed, or the work could not finish within ``timeout``;
            everything it wrote was rolled back.
    """
    name = getattr(function, "__name__", repr(function))
    deadline = time.monotonic() + timeout
    call = functools.partial(_unit_of_work, function, kwargs, deadline)
    try:
        return await asyncio.get_running_loop().run_in_executor(None, call)
    except DeadlinePassed as error:
        logger.error("store.unavailable call=%s timeout=%.1fs reason=%s", name, timeout, error)
        raise StoreUnavailable(f"{name} did not finish within {timeout:.1f} s") from None
    except SQLAlchemyError as error:
        logger.error("store.unavailable call=%s error=%s", name, error.__class__.__name__)
        raise StoreUnavailable(f"{name} failed: {error.__class__.__name__}") from error
