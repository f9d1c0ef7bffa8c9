"""Proactive-message fixtures: the sample store on SQLite and PostgreSQL, emptied of messages after
each test, and a store session for setting up and reading."""

from __future__ import annotations

from typing import Iterator

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from store.db import session_scope
from store.models import ChannelContact, ConsentRecord, OutboxMessage, ShopperCart
from tests.store.conftest import NOW, database_factory, store_engine  # noqa: F401 (fixtures)

__all__ = ["NOW"]


@pytest.fixture
def engine(store_engine: Engine) -> Iterator[Engine]:  # noqa: F811
    """The sample store; messages, contacts and ledger rows the test added are removed after it."""
    yield store_engine
    with session_scope(store_engine) as session:
        session.execute(delete(OutboxMessage))
        session.execute(delete(ShopperCart))
        session.execute(delete(ChannelContact))
        session.execute(delete(ConsentRecord).where(ConsentRecord.source != "shopify_import"))
        for row in session.query(ConsentRecord).filter(ConsentRecord.withdrawn_at.is_not(None)):
            row.withdrawn_at, row.withdrawal_source = None, None


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session whose work the test commits itself (workers read committed rows)."""
    with Session(engine, future=True, expire_on_commit=False) as session:
        yield session
