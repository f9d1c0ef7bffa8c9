"""The store runner: an answer always matches what the database kept (issue: trust, atomic writes).

Each test runs ``run_in_session`` on a small real database with one worker thread as the event
loop's executor, so that "every earlier store call has finished" is one more call to that worker
(:func:`finished_work`). A runner that abandoned its thread at the deadline would leave the
thread's transaction running, and it would commit after the caller was told it failed.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from store.db import make_engine, reset_default_engine
from store.runner import StoreUnavailable, run_in_session
from tests.support.services import require_service

TIMEOUT = 0.2
"""The deadline of every call here; the database-side waits are what make a call miss it."""


@pytest.fixture
def sqlite_ledger(tmp_path: Path, use_store: Callable[[str], None]) -> Path:
    """A SQLite file (WAL, like the store) with an empty ``ledger`` table, as ``DATABASE_URL``."""
    path = tmp_path / "ledger.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, note TEXT NOT NULL)")
    use_store(f"sqlite:///{path}")
    return path


@pytest.fixture(autouse=True)
async def one_worker() -> Iterator[None]:
    """One worker thread for the loop's executor (see :func:`finished_work`)."""
    pool = ThreadPoolExecutor(max_workers=1)
    asyncio.get_running_loop().set_default_executor(pool)
    yield
    pool.shutdown(wait=True)


async def finished_work() -> None:
    """Return once every store call submitted before has ended (the one worker is free again)."""
    await asyncio.get_running_loop().run_in_executor(None, lambda: None)


def write_note(session: Session, *, note: str) -> str:
    session.execute(text("INSERT INTO ledger (note) VALUES (:note)"), {"note": note})
    return note


def notes(session: Session) -> List[str]:
    return list(session.execute(text("SELECT note FROM ledger ORDER BY id")).scalars())


async def test_a_write_waiting_on_a_lock_past_its_deadline_is_rolled_back_before_the_answer(
    sqlite_ledger: Path,
) -> None:
    locker = sqlite3.connect(sqlite_ledger, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another writer holds the write lock throughout the call
    try:
        with pytest.raises(StoreUnavailable):
            await run_in_session(write_note, timeout=TIMEOUT, note="cancel #1003")
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    await finished_work()
    assert await run_in_session(notes, timeout=5) == []


async def test_work_still_running_at_the_deadline_is_rolled_back(sqlite_ledger: Path) -> None:
    def write_then_stall(session: Session) -> str:
        write_note(session, note="late")
        time.sleep(TIMEOUT * 3)  # the write is done; the unit of work ends after its deadline
        return "late"

    with pytest.raises(StoreUnavailable):
        await run_in_session(write_then_stall, timeout=TIMEOUT)
    await finished_work()
    assert await run_in_session(notes, timeout=5) == []


async def test_a_commit_that_ends_after_the_deadline_is_reported_as_done(sqlite_ledger: Path) -> None:
    def slow_commit_end(_: Session) -> None:
        time.sleep(TIMEOUT * 3)  # committed; the thread reports back only after the deadline

    event.listen(Session, "after_commit", slow_commit_end)
    try:
        answer = await run_in_session(write_note, timeout=TIMEOUT, note="kept")
    finally:
        event.remove(Session, "after_commit", slow_commit_end)
    assert answer == "kept"
    assert await run_in_session(notes, timeout=5) == ["kept"]


async def test_a_statement_running_past_the_deadline_is_interrupted(sqlite_ledger: Path) -> None:
    def count_forever(session: Session) -> Any:
        return session.execute(
            text(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                "SELECT count(*) FROM (SELECT i FROM n LIMIT 10000000000)"
            )
        ).scalar()

    with pytest.raises(StoreUnavailable) as failure:
        await run_in_session(count_forever, timeout=TIMEOUT)
    assert "interrupted" in str(failure.value.__cause__)


async def test_a_call_within_its_deadline_commits_and_answers(sqlite_ledger: Path) -> None:
    assert await run_in_session(write_note, timeout=5, note="on time") == "on time"
    assert await run_in_session(notes, timeout=5) == ["on time"]


@pytest.mark.postgres
async def test_postgresql_lock_wait_past_the_deadline_is_rolled_back(
    use_store: Callable[[str], None],
) -> None:
    require_service("postgres")
    name = f"runner_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine("postgresql://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    locker = make_engine(url)
    try:
        with locker.begin() as conn:
            conn.execute(text("CREATE TABLE ledger (id SERIAL PRIMARY KEY, note TEXT NOT NULL)"))
        use_store(url)
        with locker.connect() as conn:
            held = conn.begin()
            conn.execute(text("LOCK TABLE ledger IN ACCESS EXCLUSIVE MODE"))
            with pytest.raises(StoreUnavailable):
                await run_in_session(write_note, timeout=TIMEOUT, note="cancel #1003")
            held.rollback()
        await finished_work()
        assert await run_in_session(notes, timeout=5) == []
    finally:
        reset_default_engine()
        locker.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
