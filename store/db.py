"""Engines and sessions (no work happens at import time; the schema is :mod:`store.schema`'s)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Optional, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.pool import QueuePool

from core.redact import shopper_data_logged

T = TypeVar("T")


def _default_url() -> str:
    from core.settings import get_settings

    return get_settings().database_url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the action server read while the console or an import writes; foreign keys are off
    # by default in SQLite and the cascades rely on them.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def use_sqlite_pragmas(engine: Engine) -> Engine:
    """Give each new connection of a SQLite ``engine`` WAL mode, foreign keys and a busy timeout.

    Also for engines built elsewhere (Rasa's SQL tracker store): WAL commits write one file
    instead of a rollback journal plus the database, and readers never wait for a writer.
    """
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_engine(url: Optional[str] = None, **kwargs: Any) -> Engine:
    """Build an engine for ``url`` (default: ``DATABASE_URL`` from :mod:`core.settings`).

    SQLite files get WAL mode, foreign keys and a 30 s busy timeout so that concurrent writers
    queue instead of failing; the parent directory of a SQLite file is created if missing.

    Args:
        url: SQLAlchemy database URL; ``None`` reads the settings.
        **kwargs: passed to :func:`sqlalchemy.create_engine`.

    Returns:
        A SQLAlchemy 1.4 engine (``future=True``).
    """
    url = url or _default_url()
    # Bound parameters are shoppers' emails, phones and addresses: keep them out of SQL error
    # messages (which end up in logs) unless LOG_SHOPPER_DATA=true asks for them.
    kwargs.setdefault("hide_parameters", not shopper_data_logged())
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        return use_sqlite_pragmas(create_engine(url, future=True, **kwargs))
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, future=True, **kwargs)


_default_engine: Optional[Engine] = None


def default_engine() -> Engine:
    """The process-wide engine for ``DATABASE_URL``, built on first use.

    A SQLite file keeps its connections open in a pool, as a server database does (SQLAlchemy
    1.4's default for SQLite files opens and closes one per session): every store call of the
    action server would otherwise pay for the connect, the three pragmas and, at the close of the
    last connection, a WAL checkpoint. The pool holds at most ``POOL_SIZE`` idle connections.
    """
    global _default_engine
    if _default_engine is None:
        url = _default_url()
        pooled = {"poolclass": QueuePool, "pool_size": POOL_SIZE} if _is_sqlite_file(url) else {}
        _default_engine = make_engine(url, **pooled)
    return _default_engine


POOL_SIZE = 8
"""Idle SQLite connections the process-wide engine keeps (the action server's worker threads)."""


def _is_sqlite_file(url: str) -> bool:
    return url.startswith("sqlite") and "///" in url and url.split("///", 1)[1] not in ("", ":memory:")


def reset_default_engine() -> None:
    """Close the process-wide engine's connections and forget it; the next use reads the URL again.

    A process that changes ``DATABASE_URL`` (a test pointing the actions at another store) calls
    this, so that no pooled connection to the old database is reused.
    """
    global _default_engine
    if _default_engine is not None:
        _default_engine.dispose()
        _default_engine = None


@contextmanager
def session_scope(engine: Optional[Engine] = None) -> Iterator[Session]:
    """Open a session for one unit of work: commit on success, roll back on error, always close.

    Args:
        engine: the engine to use; ``None`` uses :func:`default_engine`.
    """
    session = Session(engine or default_engine(), future=True, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


READ_ONCE = "storefront_read_once"
"""``session.info`` key of what :func:`read_once` kept for the session's current transaction."""


def read_once(session: Session, key: str, load: Callable[[], T]) -> T:
    """``load()``'s result, read once per transaction of ``session`` and kept for the same ``key``.

    For whole small tables that several steps of one unit of work read (a shipping answer read the
    shipping zones three times and the countries three times). What is kept is forgotten at every
    flush, commit and rollback and at every INSERT, UPDATE or DELETE statement the session runs, and
    nothing is kept while the session holds unflushed changes (the query ``load`` runs would flush
    them first): so a unit of work that changes those rows reads them again, and nothing outlives
    the transaction. Callers treat the result as read-only.
    """
    if session.new or session.deleted or session.dirty:
        return load()
    kept: Dict[str, Any] = session.info.setdefault(READ_ONCE, {})
    if key not in kept:
        kept[key] = load()
    return kept[key]


def _forget_reads(session: Session, *_: Any) -> None:
    session.info.pop(READ_ONCE, None)


def _forget_reads_on_writes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info.pop(READ_ONCE, None)


for _moment in ("after_flush", "after_commit", "after_soft_rollback"):
    event.listen(Session, _moment, _forget_reads)
event.listen(Session, "do_orm_execute", _forget_reads_on_writes)
