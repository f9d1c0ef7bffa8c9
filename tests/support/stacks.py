"""A second pair of servers beside the session's ``stack``: other settings, or a store of its own.

``own_store`` and ``own_stack`` (registered for every test by ``tests/conftest.py``) give a test
module that changes orders servers of its own on a copy of the session's store, so the session's
store stays as the sample made it for every other test; each module gets its own pair.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Dict, Iterator

import pytest

from tools.launcher import Stack, free_port


def copy_store(store_db_url: str, folder: Path) -> str:
    """A copy of the session's SQLite store in ``folder``, for tests that change orders.

    SQLite's backup API copies what a reader would see, pages still in the ``-wal`` file included,
    even while a server writes to the store; copying the file alone can miss the latest commits.
    """
    target = folder / "store.db"
    source = Path(store_db_url.split("///", 1)[1])
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)
    return f"sqlite:///{target}"


def second_stack_env(stack_env: Dict[str, str], folder: Path, **overrides: str) -> Dict[str, str]:
    """``stack_env`` with free ports and a tracker database of its own, plus ``overrides``."""
    rasa_port, action_port = free_port(), free_port()
    return {
        **stack_env,
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TRACKER_STORE_URL": f"sqlite:///{folder / 'tracker.db'}",
        **overrides,
    }


@contextmanager
def running_stack(model: Path, env: Dict[str, str], folder: Path) -> Iterator[Stack]:
    """The servers started with ``env`` (their logs in ``folder/logs``), stopped afterwards."""
    running = Stack(model=model, env=env, log_dir=folder / "logs").start()
    try:
        yield running
    finally:
        running.stop()


def _module_name(request: pytest.FixtureRequest) -> str:
    return request.module.__name__.rsplit(".", 1)[-1]


@pytest.fixture(scope="module")
def own_store(
    store_db_url: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A copy of the session's store for this test module alone (its orders may change)."""
    return copy_store(store_db_url, tmp_path_factory.mktemp(f"{_module_name(request)}_store"))


@pytest.fixture(scope="module")
def own_stack(
    trained_model: Path,
    stack_env: Dict[str, str],
    own_store: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    """The servers on ``own_store``, with their own ports and tracker database, for this module."""
    folder = tmp_path_factory.mktemp(f"{_module_name(request)}_stack")
    env = second_stack_env(stack_env, folder, DATABASE_URL=own_store)
    with running_stack(trained_model, env, folder) as stack:
        yield stack
