"""Engines, sessions and the schema version (no work happens at import time)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Iterator, Optional

from sqlalchemy import create_engine, event, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.redact import shopper_data_logged
from store.models import Base, SchemaVersion

SCHEMA_VERSION = 2
"""Bump when the models change; ``migrate`` refuses to run against a newer database."""


class SchemaError(RuntimeError):
    """The database schema is missing or from another version of the code."""


def _default_url() -> str:
    from core.settings import load_settings

    return load_settings(generate_secrets=False).database_url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the action server read while the console or an import writes; foreign keys are off
    # by default in SQLite and the cascades rely on them.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


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
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, future=True, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, future=True, **kwargs)


_session_factories: dict[int, sessionmaker] = {}
_default_engine: list[Engine] = []


def default_engine() -> Engine:
    """The process-wide engine for ``DATABASE_URL``, built on first use."""
    if not _default_engine:
        _default_engine.append(make_engine())
    return _default_engine[0]


@contextmanager
def session_scope(engine: Optional[Engine] = None) -> Iterator[Session]:
    """Open a session for one unit of work: commit on success, roll back on error, always close.

    Args:
        engine: the engine to use; ``None`` uses :func:`default_engine`.
    """
    engine = engine or default_engine()
    factory = _session_factories.get(id(engine))
    if factory is None:
        factory = sessionmaker(bind=engine, future=True, expire_on_commit=False)
        _session_factories[id(engine)] = factory
    session: Session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def schema_version(engine: Engine) -> Optional[int]:
    """The version recorded in the database, or ``None`` when the schema was never created."""
    if not inspect(engine).has_table(SchemaVersion.__tablename__):
        return None
    with engine.connect() as conn:
        return conn.execute(select(func.max(SchemaVersion.version))).scalar()


def create_schema(engine: Engine) -> int:
    """Create every missing table and record :data:`SCHEMA_VERSION` (idempotent).

    Raises:
        SchemaError: the database was created by a newer version of this code.

    Returns:
        The schema version now recorded.
    """
    current = schema_version(engine)
    if current is not None and current > SCHEMA_VERSION:
        raise SchemaError(f"database schema version {current} is newer than this code ({SCHEMA_VERSION})")
    Base.metadata.create_all(engine)
    if current != SCHEMA_VERSION:
        with engine.begin() as conn:
            conn.execute(
                SchemaVersion.__table__.insert().values(
                    version=SCHEMA_VERSION, applied_at=datetime.now(timezone.utc).replace(tzinfo=None)
                )
            )
    return SCHEMA_VERSION


def require_schema(engine: Engine) -> None:
    """Raise :class:`SchemaError` with a one-line hint unless the schema is current."""
    current = schema_version(engine)
    if current is None:
        raise SchemaError("the store database has no schema: run `python -m store migrate`")
    if current != SCHEMA_VERSION:
        raise SchemaError(
            f"store schema version {current} does not match the code ({SCHEMA_VERSION}): "
            "run `python -m store migrate`"
        )


def drop_schema(engine: Engine) -> None:
    """Drop every store table (used by tests and by a full re-import in development)."""
    Base.metadata.drop_all(engine)
