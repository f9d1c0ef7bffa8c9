"""Proactive-message fixtures: the sample store on SQLite and PostgreSQL, emptied of messages after
each test, and a store session for setting up and reading."""

from __future__ import annotations

from datetime import timedelta
from typing import AsyncIterator, Iterator

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from integrations.proactive.providers import SmtpSender, TwilioSender, WhatsAppCloudSender
from integrations.proactive.worker import Worker
from store.db import session_scope
from store.models import ChannelContact, ConsentRecord, OutboxMessage, ShopperCart
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.smtp import FakeSmtp
from tests.fakes.twilio_api import FakeTwilioApi
from tests.store.conftest import NOW, database_factory, store_engine  # noqa: F401 (fixtures)

__all__ = ["CALLBACK", "NOW", "OUR_NUMBER"]

OUR_NUMBER = "+14155550100"
CALLBACK = "https://shop.example.com/webhooks/twilio/status"


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


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphApi]:
    fake = await FakeGraphApi().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilioApi]:
    fake = await FakeTwilioApi().start()
    yield fake
    await fake.stop()


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    fake = FakeSmtp().start()
    yield fake
    fake.stop()


@pytest.fixture
def worker(engine, graph, twilio, smtp) -> Worker:
    senders = {
        "whatsapp": WhatsAppCloudSender(graph.base_url, "v23.0", graph.phone_number_id, graph.access_token),
        "sms": TwilioSender(twilio.base_url, twilio.account_sid, twilio.auth_token, OUR_NUMBER, CALLBACK),
        "email": SmtpSender(
            "127.0.0.1",
            smtp.port,
            "shop@northwind.example",
            starttls=False,
            list_unsubscribe="help@northwind.example",
        ),
    }
    return Worker(engine, senders, lease=timedelta(minutes=5), batch=20)
