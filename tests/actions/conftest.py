"""Fixtures for action tests: the actions reach a real SQLite sample store through ``query_store``.

``order_store`` gives each test its own copy of the session's sample store (``store_db_url``), so
tests that cancel orders or write returns never change what another test reads. ``store_down``
points the actions at a database without the store's tables: every query fails the way a broken
database does.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from store import db


def _use_database(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    for engine in db._default_engine:
        engine.dispose()
    db._default_engine.clear()


@pytest.fixture
def order_store(store_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private copy of the sample store for one test; yields its URL."""
    source = Path(store_db_url.split("///", 1)[1])
    copy = tmp_path / "store.db"
    shutil.copyfile(source, copy)
    if Path(f"{source}-wal").exists():  # pages not yet checkpointed into the main file
        shutil.copyfile(f"{source}-wal", f"{copy}-wal")
    url = f"sqlite:///{copy}"
    _use_database(url, monkeypatch)
    yield url
    for engine in db._default_engine:
        engine.dispose()
    db._default_engine.clear()


@pytest.fixture
def store_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A database with no store tables, so every store query raises (like a broken database)."""
    _use_database(f"sqlite:///{tmp_path / 'empty.db'}", monkeypatch)
    yield
    for engine in db._default_engine:
        engine.dispose()
    db._default_engine.clear()
