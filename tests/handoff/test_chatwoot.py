"""Forwarding a handoff to Chatwoot, against a fake Chatwoot on 127.0.0.1 that checks each request."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import AsyncIterator, List

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff
from core.clock import pinned
from integrations.chatwoot import ChatwootConfig, HelpdeskError, forward_to_chatwoot, load_helpdesk_config
from integrations.chatwoot_forwarding import forward_due
from store import db
from store.cli import main as store_cli
from store.helpdesk import MAX_ATTEMPTS, RETRY_DELAYS, ForwardView, list_forwards
from tests.handoff.fake_chatwoot import ACCOUNT, INBOX, TOKEN, FakeChatwoot
from tests.handoff.support import DOMAIN, bot, private_store, tracker_from_events, user

__all__ = ["private_store"]
ENDPOINTS = Path(__file__).resolve().parents[2] / "endpoints.yml"
API = "/api/v1/accounts/7"
TUESDAY = datetime(2026, 6, 9, 14, 0, tzinfo=timezone.utc)  # a Tuesday afternoon in New York
CONTEXT = {
    "reason": "nlu_fallback",
    "channel": "socketio",
    "summary": "Assistant did not understand",
    "next_step": "Answer directly.",
    "orders": [{"number": "1004", "verified": False}],
    "shopper": {"name": "Ava Reed", "email": "Ava@Example.com", "phone": None, "verified": True},
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


def paths(fake: FakeChatwoot) -> List[tuple]:
    return [(r.path.removeprefix(API), r.status) for r in fake.requests]


async def test_a_new_shopper_is_searched_then_created_and_the_conversation_opened(
    chatwoot: FakeChatwoot,
) -> None:
    conversation = await forward_to_chatwoot(
        config_for(chatwoot), conversation_id="conv-42", handoff_id=9, context=CONTEXT
    )
    assert paths(chatwoot) == [
        ("/contacts/filter", 200),
        ("/contacts", 200),
        ("/conversations", 200),
        (f"/conversations/{conversation}/messages", 200),
        (f"/conversations/{conversation}/toggle_status", 200),
    ]
    assert all(r.headers["api_access_token"] == TOKEN for r in chatwoot.requests)
    search, contact, created, note, toggle = (r.body for r in chatwoot.requests)
    assert search == {
        "payload": [
            {"attribute_key": "email", "filter_operator": "equal_to", "values": ["ava@example.com"],
             "query_operator": "OR"},
            {"attribute_key": "identifier", "filter_operator": "equal_to", "values": ["storefront:conv-42"],
             "query_operator": None},
        ]
    }  # fmt: skip
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
        "Shopper: Ava Reed, Ava@Example.com (verified)",
        "Order #1004: unverified",
        "",
        "Transcript:",
        "shopper: blorp [nlu_fallback 0.4]",
        "bot: Sorry?",
    ]
    assert toggle == {"status": "open"}
    assert chatwoot.conversations == {conversation: "open"}


async def test_a_returning_shoppers_handoff_finds_the_existing_contact(chatwoot: FakeChatwoot) -> None:
    known = chatwoot.add_contact(name="Ava R.", email="ava@example.com", identifier="storefront:old-visit")
    shopper = {**CONTEXT["shopper"], "phone": "+14155550101"}
    conversation = await forward_to_chatwoot(
        config_for(chatwoot),
        conversation_id="conv-43",
        handoff_id=10,
        context={**CONTEXT, "shopper": shopper},
    )
    assert ("/contacts", 422) not in paths(chatwoot) and "/contacts" not in [p for p, _ in paths(chatwoot)]
    created = next(r.body for r in chatwoot.requests if r.path.endswith("/conversations"))
    assert (created["contact_id"], created["source_id"]) == (known["id"], "src-1")
    assert chatwoot.conversations == {conversation: "open"} and len(chatwoot.contacts) == 1
    # what the old code did, creating without a search, is refused by Chatwoot (and by the fake)
    import aiohttp

    async with aiohttp.ClientSession() as session, session.post(
        f"{chatwoot.base_url}{API}/contacts", headers={"api_access_token": TOKEN},
        json={"inbox_id": INBOX, "name": "Ava", "email": "AVA@example.com"},
    ) as reply:  # fmt: skip
        assert (reply.status, await reply.json()) == (
            422, {"message": "Email has already been taken", "attributes": ["email"]}
        )  # fmt: skip


async def test_a_contact_known_by_phone_from_another_inbox_gets_an_inbox_of_ours(
    chatwoot: FakeChatwoot,
) -> None:
    known = chatwoot.add_contact(name="Ben", phone_number="+14155550102")
    known["contact_inboxes"] = [{"source_id": "whatsapp-1", "inbox": {"id": 99}}]  # another inbox only
    shopper = {"name": "Ben", "email": None, "phone": "+14155550102", "verified": True}
    await forward_to_chatwoot(
        config_for(chatwoot),
        conversation_id="conv-44",
        handoff_id=11,
        context={**CONTEXT, "shopper": shopper},
    )
    assert [p for p, _ in paths(chatwoot)][:3] == [
        "/contacts/filter", f"/contacts/{known['id']}/contact_inboxes", "/conversations"
    ]  # fmt: skip
    assert chatwoot.requests[1].body == {"inbox_id": INBOX}


async def test_a_wrong_token_raises_helpdesk_error(chatwoot: FakeChatwoot) -> None:
    with pytest.raises(HelpdeskError, match="contacts/filter -> HTTP 401"):
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


@pytest.fixture
def configured(chatwoot: FakeChatwoot, monkeypatch: pytest.MonkeyPatch, private_store: str) -> str:
    for name, value in {
        "HANDOFF_HOURS_OVERRIDE": "",
        "CHATWOOT_URL": chatwoot.base_url,
        "CHATWOOT_API_TOKEN": TOKEN,
        "CHATWOOT_ACCOUNT_ID": ACCOUNT,
        "CHATWOOT_INBOX_ID": str(INBOX),
    }.items():
        monkeypatch.setenv(name, value)
    return private_store


async def _hand_off(sender: str) -> None:
    tracker = tracker_from_events(
        [user("hi", "greet"), bot("Hi!"), user("a human please", "human_handoff", 0.91)], sender=sender
    )
    with pinned(TUESDAY):
        await ActionHandoff().run(CollectingDispatcher(), tracker, DOMAIN)


def _forwards(url: str) -> List[ForwardView]:
    with db.session_scope(db.make_engine(url)) as session:
        return list_forwards(session)


async def test_the_handoff_action_queues_the_forward_and_the_worker_sends_it(
    chatwoot: FakeChatwoot, configured: str
) -> None:
    await _hand_off("conv-forwarded")
    assert chatwoot.requests == []  # the action never waits on Chatwoot
    (queued,) = _forwards(configured)
    assert (queued.status, queued.attempts, queued.conversation_id) == ("pending", 0, "conv-forwarded")
    with pinned(TUESDAY + timedelta(seconds=1)):
        assert await forward_due(load_helpdesk_config()) == {"delivered": 1}
    assert [s for _, s in paths(chatwoot)] == [200] * 5
    assert chatwoot.requests[2].body["custom_attributes"]["handoff_reason"] == "requested"
    assert "shopper: a human please [human_handoff 0.91]" in chatwoot.requests[3].body["content"]
    (sent,) = _forwards(configured)
    assert (sent.status, sent.attempts) == ("delivered", 1)
    assert chatwoot.conversations == {sent.helpdesk_conversation_id: "open"}


async def test_forwarding_survives_an_outage_and_delivers_later_without_a_second_conversation(
    chatwoot: FakeChatwoot, configured: str
) -> None:
    await _hand_off("conv-outage")
    config = load_helpdesk_config()
    chatwoot.failing = ("/messages",)  # contact and conversation are made, then Chatwoot falls over
    with pinned(TUESDAY):
        assert await forward_due(config) == {"pending": 1}
    (first,) = _forwards(configured)
    assert first.helpdesk_conversation_id is not None and not first.note_sent
    assert first.next_attempt_at == TUESDAY + timedelta(seconds=RETRY_DELAYS[0])
    assert "HTTP 503" in (first.last_error or "")
    chatwoot.failing, chatwoot.down = (), True
    with pinned(TUESDAY + timedelta(seconds=5)):  # not due yet: nothing is tried
        assert await forward_due(config) == {}
    with pinned(first.next_attempt_at):
        assert await forward_due(config) == {"pending": 1}
    (second,) = _forwards(configured)
    assert second.attempts == 2 and second.next_attempt_at == first.next_attempt_at + timedelta(
        seconds=RETRY_DELAYS[1]
    )
    chatwoot.down = False
    with pinned(second.next_attempt_at):
        assert await forward_due(config) == {"delivered": 1}
    (done,) = _forwards(configured)
    assert (done.status, done.attempts, done.last_error) == ("delivered", 3, None)
    assert list(chatwoot.conversations) == [first.helpdesk_conversation_id]  # continued, not redone
    assert [m["private"] for m in chatwoot.messages[first.helpdesk_conversation_id]] == [True]
    assert chatwoot.conversations[first.helpdesk_conversation_id] == "open"


async def test_a_forward_that_keeps_failing_is_given_up_told_to_the_team_and_can_be_sent_again(
    chatwoot: FakeChatwoot, configured: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture
) -> None:
    await _hand_off("conv-down")
    config = load_helpdesk_config()
    chatwoot.down = True
    moment = TUESDAY
    with caplog.at_level(logging.WARNING, logger="integrations.chatwoot_forwarding"):
        for _ in range(MAX_ATTEMPTS):
            with pinned(moment):
                await forward_due(config)
            (row,) = _forwards(configured)
            moment = row.next_attempt_at
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    gave_up = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(gave_up) == 1 and "helpdesk.forward.gave_up" in gave_up[0].getMessage()
    assert store_cli(["--database-url", configured, "helpdesk", "--status", "failed"]) == 0
    listed = capsys.readouterr().out
    assert (
        f"{row.id}\thandoff {row.handoff_id}\tfailed\tattempts {MAX_ATTEMPTS}" in listed and "503" in listed
    )
    with pinned(moment):  # the team fixed Chatwoot and sends it again
        assert store_cli(["--database-url", configured, "helpdesk", "--retry", str(row.id)]) == 0
        chatwoot.down = False
        assert await forward_due(config) == {"delivered": 1}
