"""A second pair of servers beside the session's ``stack``: other settings, or a store of its own."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Dict

from tools.launcher import free_port


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
