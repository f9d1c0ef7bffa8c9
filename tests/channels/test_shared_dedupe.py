"""Webhook retries that reach another replica are dropped too, through the Redis lock store."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis

from core.settings import load_settings
from storefront.channels.whatsapp import WhatsAppInput
from storefront.channels.whatsapp_state import RecentIds, SharedRecentIds, recent_ids_from_settings
from tests.channels.conftest import (
    APP_SECRET,
    BUSINESS_NUMBER_ID,
    VERIFY_TOKEN,
    Collector,
    post_signed,
    serve,
    text_message,
    webhook,
)
from tests.support.services import require_service

REDIS_SETTINGS = {"LOCK_STORE_TYPE": "redis", "LOCK_STORE_HOST": "127.0.0.1", "LOCK_STORE_PORT": "6379",
                  "LOCK_STORE_DB": "1"}  # fmt: skip


def replica(monkeypatch: pytest.MonkeyPatch) -> WhatsAppInput:
    """A WhatsApp channel as one `rasa run` replica builds it from credentials.yml and settings."""
    monkeypatch.setenv("LOCK_STORE_TYPE", "redis")
    monkeypatch.setenv("WHATSAPP_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "test-access-token")
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", BUSINESS_NUMBER_ID)
    monkeypatch.setenv("WHATSAPP_API_BASE_URL", "http://127.0.0.1:9")
    return WhatsAppInput.from_credentials({"verify_token": VERIFY_TOKEN})


def test_the_in_memory_lock_store_keeps_ids_in_the_process() -> None:
    settings = load_settings({"LOCK_STORE_TYPE": "in_memory"})
    assert isinstance(recent_ids_from_settings("whatsapp", settings), RecentIds)


async def test_a_retry_that_reaches_another_replica_is_processed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require_service("redis")
    first, second = replica(monkeypatch), replica(monkeypatch)
    assert isinstance(first.recent_ids, SharedRecentIds)
    message_id = f"wamid.{uuid.uuid4().hex}"
    body = webhook([text_message("where is my order", message_id)])
    taken_by_first, taken_by_second = Collector(), Collector()
    async with serve(first, taken_by_first) as url_a, serve(second, taken_by_second) as url_b:
        statuses = [(await post_signed(f"{url}/webhook", body))[0] for url in (url_a, url_b, url_a)]
        await taken_by_first.wait_for(1)
        await asyncio.sleep(0.1)
    assert statuses == [200, 200, 200]
    assert [m.message_id for m in taken_by_first.messages] == [message_id]
    assert taken_by_second.messages == []


def test_a_failed_message_can_be_taken_again_by_any_replica() -> None:
    require_service("redis")
    client = redis.Redis(host="127.0.0.1", port=6379, db=1)
    prefix = f"test:{uuid.uuid4().hex}:"
    replica_a, replica_b = SharedRecentIds(client, prefix), SharedRecentIds(client, prefix)
    assert replica_a.add("m1") is True
    assert replica_b.add("m1") is False
    replica_a.forget("m1")
    assert replica_b.add("m1") is True
    assert 0 < client.ttl(f"{prefix}m1") <= 7 * 24 * 3600
    client.delete(f"{prefix}m1")


def test_without_redis_retries_are_still_dropped_in_the_process(caplog: pytest.LogCaptureFixture) -> None:
    # Nothing listens on port 1.
    settings = load_settings({**REDIS_SETTINGS, "LOCK_STORE_PORT": "1"})
    ids = recent_ids_from_settings("whatsapp", settings)
    assert ids.add("m1") is True
    assert ids.add("m1") is False
    ids.forget("m1")
    assert ids.add("m1") is True
    assert "redis_unavailable" in caplog.text
