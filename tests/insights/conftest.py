"""A stack of its own for the insights tests: a fresh tracker database and a store of its own, so
the seeded conversations are the only ones counted (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Callable, Dict, Iterator, List

import pytest

from core.settings import PROJECT_ROOT
from tests.insights.scenario import Seeded, seed
from tests.support.services import require_service
from tests.support.stacks import second_stack_env
from tools.launcher import Stack

PG = "postgresql://postgres@127.0.0.1:5432"


def _pg_database(created: List[str]) -> str:
    import psycopg2

    name = f"insights_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    created.append(name)
    return f"{PG}/{name}"


def _load_store(url: str, folder: Path) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    for command in (["migrate"], ["load-sample", "--output-dir", str(folder / "sample")]):
        result = subprocess.run(
            [sys.executable, "-m", "store", *command],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, f"store {command[0]} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="session")
def seeded_stack(
    trained_model: Path,
    stack_env: Dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str], Seeded]]:
    """``seeded_stack("sqlite" | "postgresql")``: servers with the seeded conversations (once per kind)."""
    seeded: Dict[str, Seeded] = {}
    stacks: List[Stack] = []
    created: List[str] = []

    def make(kind: str) -> Seeded:
        if kind in seeded:
            return seeded[kind]
        folder = tmp_path_factory.mktemp(f"insights-{kind}")
        if kind == "postgresql":
            require_service("postgres")
            store_url, tracker_url = _pg_database(created), _pg_database(created)
            _load_store(store_url, folder)
        else:
            # A fresh store, not a copy of the session's: other tests leave consents, handoffs and
            # orders in that one, and the metrics would count them.
            store_url, tracker_url = f"sqlite:///{folder / 'store.db'}", f"sqlite:///{folder / 'tracker.db'}"
            _load_store(store_url, folder)
        env = second_stack_env(stack_env, folder, DATABASE_URL=store_url, TRACKER_STORE_URL=tracker_url)
        stack = Stack(model=trained_model, env=env, log_dir=folder / "logs").start()
        stacks.append(stack)
        seeded[kind] = seed(stack, store_url, tracker_url, folder)
        return seeded[kind]

    yield make
    for stack in stacks:
        stack.stop()
    if created:
        import psycopg2

        admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            for name in created:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
