"""Forwarding a handoff to Chatwoot, against a fake Chatwoot on 127.0.0.1 that checks each request."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import AsyncIterator

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff
from core.clock import pinned
from integrations.chatwoot import (
    ChatwootConfig,
    HelpdeskError,
    forward_to_chatwoot,
    load_helpdesk_config,
)
from tests.handoff.fake_chatwoot import ACCOUNT, INBOX, TOKEN, FakeChatwoot
from tests.handoff.support import DOMAIN, bot, private_store, tracker_from_events, user

__all__ = ["private_store"]
ENDPOINTS = Path(__file__).resolve().parents[2] / "endpoints.yml"
CONTEXT = {
    "reason": "nlu_fallback",
    "channel": "socketio",
    "summary": "Assistant did not understand",
    "next_step": "Answer directly.",
    "orders": [{"number": "1004", "verified": False}],
    "shopper": {"name": "Ava Reed", "email": "ava@example.com", "phone": None, "verified": True},
    "transcript": [
        {"sender": "shopper", "text": "blorp", "intent": "nlu_fallback", "confidence": 0.4},
        {"sender": "bot", "text": "Sorry?"},
    ],
}


@pytest.fixture
async def chatwoot() -> AsyncIterator[FakeChatwoot]:
    fake = await FakeChatwoot().start()
    try:
        yield fake
    finally:
        await fake.stop()


def config_for(fake: FakeChatwoot, token: str = TOKEN) -> ChatwootConfig:
    return ChatwootConfig(url=fake.base_url, token=token, account_id=ACCOUNT, inbox_id=str(INBOX), timeout=5)


async def test_forwarding_creates_an_open_conversation_with_the_transcript(chatwoot: FakeChatwoot) -> None:
    conversation = await forward_to_chatwoot(
        config_for(chatwoot), conversation_id="conv-42", handoff_id=9, context=CONTEXT
    )
    assert [(r.path, r.status) for r in chatwoot.requests] == [
        ("/api/v1/accounts/7/contacts", 200),
        ("/api/v1/accounts/7/conversations", 200),
        (f"/api/v1/accounts/7/conversations/{conversation}/messages", 200),
        (f"/api/v1/accounts/7/conversations/{conversation}/toggle_status", 200),
    ]
    assert all(r.headers["api_access_token"] == TOKEN for r in chatwoot.requests)
    contact, created, note, toggle = (r.body for r in chatwoot.requests)
    assert contact == {
        "inbox_id": 3,
        "name": "Ava Reed",
        "identifier": "storefront:conv-42",
        "email": "ava@example.com",
    }
    assert created == {
        "source_id": "src-1",
        "inbox_id": 3,
        "contact_id": 100,
        "status": "pending",
        "additional_attributes": {"storefront_conversation_id": "conv-42"},
        "custom_attributes": {"handoff_id": 9, "handoff_reason": "nlu_fallback"},
    }
    assert note["message_type"] == "outgoing" and note["private"] is True
    assert note["content"].splitlines() == [
        "Handoff from the store assistant (nlu_fallback, channel socketio)",
        "Summary: Assistant did not understand",
        "Suggested next step: Answer directly.",
        "Shopper: Ava Reed, ava@example.com (verified)",
        "Order #1004: unverified",
        "",
        "Transcript:",
        "shopper: blorp [nlu_fallback 0.4]",
        "bot: Sorry?",
    ]
    assert toggle == {"status": "open"}
    assert chatwoot.conversations == {conversation: "open"}


async def test_a_wrong_token_raises_helpdesk_error(chatwoot: FakeChatwoot) -> None:
    with pytest.raises(HelpdeskError, match="contacts -> HTTP 401"):
        await forward_to_chatwoot(
            config_for(chatwoot, "wrong"), conversation_id="c", handoff_id=1, context=CONTEXT
        )
    assert chatwoot.accepted() == []


async def test_an_unreachable_helpdesk_raises_helpdesk_error() -> None:
    config = ChatwootConfig(
        url="http://127.0.0.1:9", token=TOKEN, account_id=ACCOUNT, inbox_id="3", timeout=2
    )
    with pytest.raises(HelpdeskError, match="ClientConnectorError"):
        await forward_to_chatwoot(config, conversation_id="c", handoff_id=1, context=CONTEXT)


def test_config_is_off_until_every_value_is_set() -> None:
    assert load_helpdesk_config(ENDPOINTS, env={"CHATWOOT_URL": "http://127.0.0.1:1"}) is None
    full = {
        "CHATWOOT_URL": "http://127.0.0.1:1",
        "CHATWOOT_API_TOKEN": "t",
        "CHATWOOT_ACCOUNT_ID": "7",
        "CHATWOOT_INBOX_ID": "3",
    }
    assert load_helpdesk_config(ENDPOINTS, env=full) == ChatwootConfig("http://127.0.0.1:1", "t", "7", "3")


async def test_action_handoff_forwards_when_configured(
    chatwoot: FakeChatwoot, monkeypatch: pytest.MonkeyPatch, private_store: str
) -> None:
    for name, value in {
        "HANDOFF_HOURS_OVERRIDE": "",
        "CHATWOOT_URL": chatwoot.base_url,
        "CHATWOOT_API_TOKEN": TOKEN,
        "CHATWOOT_ACCOUNT_ID": ACCOUNT,
        "CHATWOOT_INBOX_ID": str(INBOX),
    }.items():
        monkeypatch.setenv(name, value)
    tracker = tracker_from_events(
        [user("hi", "greet"), bot("Hi!"), user("a human please", "human_handoff", 0.91)],
        sender="conv-forwarded",
    )
    with pinned(datetime(2026, 6, 9, 14, 0, tzinfo=timezone.utc)):  # a Tuesday afternoon in New York
        await ActionHandoff().run(CollectingDispatcher(), tracker, DOMAIN)
    assert [r.status for r in chatwoot.requests] == [200, 200, 200, 200]
    assert chatwoot.requests[1].body["custom_attributes"]["handoff_reason"] == "requested"
    assert "shopper: a human please [human_handoff 0.91]" in chatwoot.requests[2].body["content"]
    assert list(chatwoot.conversations.values()) == ["open"]
