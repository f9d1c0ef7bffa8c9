"""Providers' delivery statuses reach the outbox: Twilio's StatusCallback and WhatsApp ``statuses``."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Iterator
from urllib.parse import urlencode

import pytest
from sqlalchemy import delete
from twilio.request_validator import RequestValidator

from core import clock
from store.db import session_scope
from store.models import OutboxMessage
from store.outbox import Status, claim, enqueue, finish, start_sending, worker_name
from tests.channels.conftest import Collector, post, post_signed, serve
from tests.channels.test_keywords import store  # noqa: F401 (fixture)
from tests.channels.test_twilio_secure import PUBLIC_URL, TOKEN
from tests.channels.test_twilio_secure import make_channel as twilio_channel
from tests.channels.test_whatsapp_webhook import make_channel as whatsapp_channel
from tests.fakes.twilio_api import FakeTwilioApi

STATUS_URL = "https://shop.example.com/webhooks/twilio/status"


@pytest.fixture
def sent_message(store) -> Iterator[int]:  # noqa: F811
    """An outbox message the provider accepted as ``PROVIDER-1``."""
    now = clock.now()
    with session_scope() as session:
        row = enqueue(
            session,
            trigger="order_shipped",
            purpose="service",
            channel="sms",
            recipient="+15557654321",
            response="utter_proactive_order_shipped",
            object_id="1",
            day=now.date(),
            due_at=now,
            now=now,
        )
        assert row is not None
        session.flush()
        worker = worker_name()
        claim(session, worker=worker, now=now, lease=timedelta(minutes=5))
        start_sending(session, message_id=row.id, worker=worker)
        finish(
            session,
            message_id=row.id,
            worker=worker,
            status=Status.SENT,
            now=now,
            provider_message_id="PROVIDER-1",
        )
        message_id = row.id
    yield message_id
    with session_scope() as session:
        session.execute(delete(OutboxMessage))


def state(message_id: int) -> tuple:
    with session_scope() as session:
        row = session.get(OutboxMessage, message_id)
        return row.status, row.delivery_status, row.reason


async def test_twilio_status_callbacks_are_signed_and_recorded(
    twilio_api: FakeTwilioApi, collector: Collector, sent_message: int
) -> None:
    channel = twilio_channel(twilio_api, ledger=True, background=False, status_url=STATUS_URL)
    callback = {
        "MessageSid": "PROVIDER-1",
        "MessageStatus": "delivered",
        "AccountSid": twilio_api.account_sid,
    }
    async with serve(channel, collector) as url:
        # signed for another URL (the message webhook's): refused
        assert (await send_status(url, callback, signed_url=PUBLIC_URL))[0] == 403
        assert (await send_status(url, {"MessageSid": "PROVIDER-1"}))[0] == 400
        assert (await send_status(url, callback))[0] == 204
        assert state(sent_message) == ("delivered", "delivered", None)
        failed = {**callback, "MessageStatus": "undelivered", "ErrorCode": "30003"}
        assert (await send_status(url, failed))[0] == 204
    assert state(sent_message) == ("failed", "undelivered", "Twilio error 30003")
    assert collector.messages == []


async def send_status(url: str, params: dict, signed_url: str = STATUS_URL) -> tuple:
    """POST to ``/status`` signed for ``signed_url`` (Twilio signs :data:`STATUS_URL`)."""
    signature = RequestValidator(TOKEN).compute_signature(signed_url, params)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    return await post(f"{url}/status", urlencode(params).encode(), headers)


async def test_whatsapp_statuses_update_the_outbox(collector: Collector, sent_message: int) -> None:
    statuses = [
        {"id": "PROVIDER-1", "status": "read", "timestamp": "2", "recipient_id": "15557654321"},
        {"id": "PROVIDER-1", "status": "delivered", "timestamp": "1", "recipient_id": "15557654321"},
        {"id": "wamid.someone-else", "status": "sent", "timestamp": "1", "recipient_id": "1"},
    ]
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": "106540352242922"},
                            "statuses": statuses,
                        },
                    }
                ],
            }
        ],
    }
    async with serve(whatsapp_channel(ledger=True, background=False), collector) as url:
        status, _ = await post_signed(f"{url}/webhook", json.dumps(body).encode())
    assert status == 200 and collector.messages == []
    assert state(sent_message) == ("read", "read", None)  # a late "delivered" does not go back
