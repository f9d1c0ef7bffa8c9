"""Chatwoot's webhook on a real Sanic server: who may call it, which events it takes, and only once.

The conversation side (a reply reaching a socket.io or WhatsApp shopper, a resolve resuming the
bot) needs the Rasa server and is in ``tests/integration/test_chatwoot_bridge.py``.
"""

from __future__ import annotations

import json
import time
from typing import Any, AsyncIterator, Dict, Tuple

import pytest
from sqlalchemy import select

from integrations.chatwoot import ChatwootConfig
from store import db
from store.codes import HandoffReason
from store.handoffs import resolve_handoff
from store.helpdesk import create_forwarded_handoff, record_forward_progress
from store.models import HelpdeskForward
from storefront.channels.chatwoot import ChatwootInput
from tests.channels.conftest import post, serve
from tests.handoff.fake_chatwoot import ACCOUNT, INBOX, TOKEN, WEBHOOK_SECRET, FakeChatwoot
from tests.handoff.support import private_store

__all__ = ["private_store"]
HELPDESK_CONVERSATION = 555


@pytest.fixture
async def chatwoot() -> AsyncIterator[FakeChatwoot]:
    fake = await FakeChatwoot().start()
    try:
        yield fake
    finally:
        await fake.stop()


def _config(fake: FakeChatwoot) -> ChatwootConfig:
    return ChatwootConfig(url=fake.base_url, token=TOKEN, account_id=ACCOUNT, inbox_id=str(INBOX), timeout=5)


async def _no_messages(_message: Any) -> None:
    raise AssertionError("the Chatwoot channel never starts a conversation")


@pytest.fixture
async def signed_receiver(chatwoot: FakeChatwoot, private_store: str) -> AsyncIterator[str]:
    async with serve(ChatwootInput(WEBHOOK_SECRET, "", _config(chatwoot)), _no_messages) as url:
        yield f"{url}/webhook"


def _forwarded_handoff(url: str, *, resolved: bool = False) -> int:
    """A handoff whose forward opened Chatwoot conversation 555 (optionally resolved since)."""
    with db.session_scope(db.make_engine(url)) as session:
        handoff = create_forwarded_handoff(
            session, conversation_id="shopper-1", channel="socketio", reason=HandoffReason.REQUESTED,
            summary="asked for a person", context={},
        )  # fmt: skip
        forward_id = session.execute(select(HelpdeskForward.id)).scalar_one()
        record_forward_progress(
            session, forward_id=forward_id, helpdesk_conversation_id=HELPDESK_CONVERSATION
        )
        if resolved:
            resolve_handoff(session, handoff_id=handoff.id, agent="Sam")
        return handoff.id


async def _send(fake: FakeChatwoot, url: str, payload: Dict[str, Any], **kw: Any) -> Tuple[int, Any]:
    body, headers = fake.webhook(payload, **kw)
    status, text = await post(url, body, headers)
    return status, json.loads(text)


async def test_unsigned_forged_or_replayed_deliveries_get_401(
    chatwoot: FakeChatwoot, signed_receiver: str
) -> None:
    payload = chatwoot.agent_reply(HELPDESK_CONVERSATION, "hi")
    body, headers = chatwoot.webhook(payload)
    assert (await post(signed_receiver, body, {"Content-Type": "application/json"}))[0] == 401
    assert (await _send(chatwoot, signed_receiver, payload, secret="guessed"))[0] == 401
    assert (await _send(chatwoot, signed_receiver, payload, at=int(time.time()) - 3600))[0] == 401
    tampered = body.replace(b"hi", b"ho")
    assert (await post(signed_receiver, tampered, headers))[0] == 401
    assert (await post(signed_receiver, body, headers)) == (200, '{"status":"ignored"}')  # not ours


async def test_a_url_token_authenticates_a_chatwoot_that_signs_nothing(
    chatwoot: FakeChatwoot, private_store: str
) -> None:
    body = json.dumps(chatwoot.agent_reply(1, "hi")).encode()
    headers = {"Content-Type": "application/json"}
    async with serve(ChatwootInput("", "url-token", _config(chatwoot)), _no_messages) as url:
        assert (await post(f"{url}/webhook", body, headers))[0] == 401
        assert (await post(f"{url}/webhook?token=wrong", body, headers))[0] == 401
        assert await post(f"{url}/webhook?token=url-token", body, headers) == (200, '{"status":"ignored"}')
    async with serve(ChatwootInput("", "", _config(chatwoot)), _no_messages) as url:
        assert (await post(f"{url}/webhook?token=", body, headers))[0] == 503  # off until configured


async def test_private_notes_shopper_messages_and_bot_messages_are_not_forwarded(
    chatwoot: FakeChatwoot, signed_receiver: str, private_store: str
) -> None:
    _forwarded_handoff(private_store)
    ignored = [
        chatwoot.agent_reply(HELPDESK_CONVERSATION, "note to self", private=True),
        chatwoot.agent_reply(HELPDESK_CONVERSATION, "from the shopper", message_type="incoming"),
        {**chatwoot.agent_reply(HELPDESK_CONVERSATION, "bot"), "sender": {"id": 2, "type": "agent_bot"}},
        chatwoot.status_changed(HELPDESK_CONVERSATION, "open"),
        {"event": "conversation_created", "id": HELPDESK_CONVERSATION},
    ]
    for payload in ignored:
        assert await _send(chatwoot, signed_receiver, payload) == (200, {"status": "ignored"})
    broken = {"event": "message_created", "message_type": 1, "sender": {"type": "user"}, "content": "x"}
    assert (await _send(chatwoot, signed_receiver, broken))[0] == 400


async def test_a_reply_after_the_hand_back_is_told_to_the_agent_once(
    chatwoot: FakeChatwoot, signed_receiver: str, private_store: str
) -> None:
    chatwoot.conversations[HELPDESK_CONVERSATION] = "open"
    chatwoot.messages[HELPDESK_CONVERSATION] = []
    _forwarded_handoff(private_store, resolved=True)
    late = chatwoot.agent_reply(HELPDESK_CONVERSATION, "still there?", message_type=1)
    assert await _send(chatwoot, signed_receiver, late) == (200, {"status": "closed"})
    assert await _send(chatwoot, signed_receiver, late) == (200, {"status": "duplicate"})
    notes = [m for m in chatwoot.messages[HELPDESK_CONVERSATION] if m["private"]]
    assert [n["content"] for n in notes] == ["Not sent: this conversation is back with the assistant."]
    resolved = chatwoot.status_changed(HELPDESK_CONVERSATION, "resolved")
    assert await _send(chatwoot, signed_receiver, resolved) == (200, {"status": "already_resolved"})
