"""Helpers for the catalog, shipping, sizing, discount and payment action tests.

Actions run against the session's sample store (``store_db_url`` from ``tests/conftest.py``) through
the real ``query_store``; ``catalog_store`` points ``DATABASE_URL`` at it for one test.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

import pytest

from tests.support.trackers import DOMAIN, make_tracker, said  # noqa: F401 (re-exported to the tests)


@pytest.fixture
def catalog_store(store_db_url: str, use_store: Callable[[str], None]) -> str:
    """Point the actions' store access at the sample store for one test."""
    use_store(store_db_url)
    return store_db_url


def entity(name: str, value: Any, start: int = 0, end: int = 0) -> Dict[str, Any]:
    """An entity as the NLU pipeline reports it."""
    return {"entity": name, "value": value, "start": start, "end": end}
