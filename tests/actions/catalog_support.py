"""Helpers for the catalog, shipping, sizing, discount and payment action tests.

Actions run against the session's sample store (``store_db_url`` from ``tests/conftest.py``) through
the real ``query_store``; ``catalog_store`` points ``DATABASE_URL`` at it for one test.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

from store import db
from tests.support.trackers import DOMAIN, make_tracker, said  # noqa: F401 (re-exported to the tests)


@pytest.fixture
def catalog_store(store_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the actions' store access at the sample store for one test."""
    monkeypatch.setenv("DATABASE_URL", store_db_url)
    db._default_engine.clear()
    yield store_db_url
    for engine in db._default_engine:
        engine.dispose()
    db._default_engine.clear()


def entity(name: str, value: Any, start: int = 0, end: int = 0) -> Dict[str, Any]:
    """An entity as the NLU pipeline reports it."""
    return {"entity": name, "value": value, "start": start, "end": end}
