"""Fixtures for action tests: the actions reach a real SQLite sample store through ``query_store``.

``order_store`` gives each test its own copy of the session's sample store (``store_db_url``), so
tests that cancel orders or write returns never change what another test reads. ``store_down``
points the actions at a database without the store's tables: every query fails the way a broken
database does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from tests.conftest import TEST_CART_LINK_SECRET
from tests.support.stacks import copy_store

ASSISTANT_URL = "https://assistant.northwind.example"


@pytest.fixture(autouse=True)
def cart_link_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Recommendations carry signed add-to-cart links: a fixed secret and public address."""
    monkeypatch.setenv("CART_LINK_SECRET", TEST_CART_LINK_SECRET)
    monkeypatch.setenv("ASSISTANT_PUBLIC_URL", ASSISTANT_URL)


@pytest.fixture
def order_store(store_db_url: str, tmp_path: Path, use_store: Callable[[str], None]) -> str:
    """A private copy of the sample store for one test; returns its URL."""
    url = copy_store(store_db_url, tmp_path)
    use_store(url)
    return url


@pytest.fixture
def store_down(tmp_path: Path, use_store: Callable[[str], None]) -> None:
    """A database with no store tables, so every store query raises (like a broken database)."""
    use_store(f"sqlite:///{tmp_path / 'empty.db'}")
