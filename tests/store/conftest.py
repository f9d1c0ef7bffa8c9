"""Store fixtures: every test runs on a SQLite file and on PostgreSQL (required when CI=true).

The sample store is loaded once per engine with a fixed ``NOW`` so that rule tests never read
the wall clock; tests that change data use ``session`` (rolled back) or clean up after themselves.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from store.db import make_engine
from store.sample.load import load_sample
from tests.support.services import require_service

# A Wednesday, 12:00 in New York (the sample store's time zone)
NOW = datetime(2025, 6, 11, 16, 0, tzinfo=timezone.utc)
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """Makes empty databases: a SQLite file, or a fresh PostgreSQL database dropped at the end."""
    created: list[str] = []
    engines: list[Engine] = []

    def make(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('storedb') / 'store.db'}"
        require_service("postgres")
        name = f"store_test_{uuid.uuid4().hex[:10]}"
        admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        created.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def engine(kind: str) -> Engine:
        built = make_engine(make(kind))
        engines.append(built)
        return built

    yield engine
    for built in engines:
        built.dispose()
    if created:
        admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=ENGINES)
def store_engine(request: pytest.FixtureRequest, database_factory, tmp_path_factory) -> Engine:
    """An engine whose database holds the sample store as of :data:`NOW` (seed 42)."""
    engine = database_factory(request.param)
    counts = load_sample(engine, seed=42, now=NOW, output_dir=tmp_path_factory.mktemp("sample"))
    assert counts is not None and counts["orders"] >= 500
    return engine


@pytest.fixture(params=ENGINES)
def empty_engine(request: pytest.FixtureRequest, database_factory) -> Iterator[Engine]:
    """A fresh, empty database per test; its connections are closed when the test ends (a
    PostgreSQL server accepts 100, and every test's pool used to stay open until the last test)."""
    engine = database_factory(request.param)
    yield engine
    engine.dispose()


@pytest.fixture
def session(store_engine: Engine) -> Iterator[Session]:
    """A session on the sample store whose changes are rolled back after the test."""
    with Session(store_engine, future=True) as db:
        try:
            yield db
        finally:
            db.rollback()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The committed sample store files."""
    return Path(__file__).resolve().parents[2] / "data" / "store"
