"""Chatwoot both ways, end to end: real Rasa and action servers, a fake Chatwoot and a fake Graph API.

A handoff is forwarded by the Rasa server's own worker; an agent's reply written in (the fake)
Chatwoot comes back as a signed ``message_created`` webhook and reaches the shopper on their
channel (a socket.io widget, WhatsApp); resolving in Chatwoot resumes the assistant; an outage
of Chatwoot only delays the forward. The fakes run on this test's event loop, so every blocking
call to the servers goes through a thread.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any, AsyncIterator, Dict, Tuple

import pytest
import requests

from storefront.channels.conversation_ids import conversation_id
from tests.fakes.graph_api import FakeGraphApi
from tests.handoff.console_client import Shopper
from tests.handoff.fake_chatwoot import ACCOUNT, INBOX, TOKEN, WEBHOOK_SECRET, FakeChatwoot
from tests.support.messaging import send_whatsapp
from tests.support.stacks import copy_store, second_stack_env
from tools.launcher import Stack

pytestmark = pytest.mark.integration

WA_SECRET, WA_NUMBER_ID, WA_TOKEN = "bridge-app-secret", "106540352242922", "test-access-token"
FORWARD_WAIT = 60.0  # the worker polls every 5 s; a retry after an outage comes 10 s later


@pytest.fixture
async def fakes() -> AsyncIterator[Tuple[FakeChatwoot, FakeGraphApi]]:
    chatwoot = await FakeChatwoot().start()
    graph = await FakeGraphApi(phone_number_id=WA_NUMBER_ID, access_token=WA_TOKEN).start()
    try:
        yield chatwoot, graph
    finally:
        await chatwoot.stop()
        await graph.stop()


async def _stack(trained_model: Path, stack_env: Dict[str, str], store_db_url: str, tmp: Path,
                 chatwoot: FakeChatwoot, graph: FakeGraphApi) -> Stack:  # fmt: skip
    env = second_stack_env(
        stack_env, tmp, DATABASE_URL=copy_store(store_db_url, tmp),
        CHATWOOT_URL=chatwoot.base_url, CHATWOOT_API_TOKEN=TOKEN, CHATWOOT_ACCOUNT_ID=ACCOUNT,
        CHATWOOT_INBOX_ID=str(INBOX), CHATWOOT_WEBHOOK_SECRET=WEBHOOK_SECRET,
        WHATSAPP_APP_SECRET=WA_SECRET, WHATSAPP_ACCESS_TOKEN=WA_TOKEN, WHATSAPP_PHONE_NUMBER_ID=WA_NUMBER_ID,
        WHATSAPP_API_BASE_URL=graph.base_url, WHATSAPP_VERIFY_TOKEN="bridge-verify",
    )  # fmt: skip
    stack = Stack(model=trained_model, env=env, log_dir=tmp / "logs")
    await asyncio.to_thread(stack.start)
    return stack


async def _forwarded(chatwoot: FakeChatwoot, conversation: str, timeout: float = FORWARD_WAIT) -> int:
    """The Chatwoot conversation the worker opened for ``conversation`` (waits for it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for opened, attributes in chatwoot.attributes.items():
            if (
                attributes.get("storefront_conversation_id") == conversation
                and chatwoot.conversations[opened] == "open"
            ):
                return opened
        await asyncio.sleep(0.5)
    raise AssertionError(f"{conversation} was not forwarded to Chatwoot in {timeout} s")


def _webhook(stack: Stack, chatwoot: FakeChatwoot, payload: Dict[str, Any]) -> Dict[str, Any]:
    body, headers = chatwoot.webhook(payload)
    reply = requests.post(
        f"{stack.rasa_url}/webhooks/chatwoot/webhook", data=body, headers=headers, timeout=60
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def _whatsapp(stack: Stack, number: str, text: str) -> None:
    send_whatsapp(stack, number, text, app_secret=WA_SECRET, phone_number_id=WA_NUMBER_ID)


async def _texts_to(graph: FakeGraphApi, number: str, count: int, timeout: float = 60.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = [m for m in graph.messages() if m.get("to") == number]
        if len(sent) >= count:
            return sent
        await asyncio.sleep(0.3)
    raise AssertionError(f"fewer than {count} messages reached {number}")


async def test_chatwoot_replies_reach_the_widget_and_whatsapp_and_resolve_resumes_the_bot(
    trained_model: Path, stack_env: Dict[str, str], store_db_url: str, tmp_path: Path,
    fakes: Tuple[FakeChatwoot, FakeGraphApi],
) -> None:  # fmt: skip
    chatwoot, graph = fakes
    stack = await _stack(trained_model, stack_env, store_db_url, tmp_path, chatwoot, graph)
    session = uuid.uuid4().hex
    shopper = await Shopper(stack, session).connect()
    try:
        await shopper.say("/human_handoff")
        await shopper.receive()  # the wait the shopper is told
        opened = await _forwarded(chatwoot, session)

        said = await asyncio.to_thread(
            _webhook, stack, chatwoot, chatwoot.agent_reply(opened, "Hi, Dana from the team here.")
        )
        assert said == {"status": "delivered"}
        (reply,) = await shopper.receive()
        assert reply == {
            "text": "Hi, Dana from the team here.",
            "custom": {"handoff": "agent_message", "agent": "Dana"},
        }
        again = await asyncio.to_thread(
            _webhook, stack, chatwoot, chatwoot.agent_reply(opened, "note", private=True)
        )
        assert again == {"status": "ignored"}

        back = await asyncio.to_thread(_webhook, stack, chatwoot, chatwoot.status_changed(opened, "resolved"))
        assert back == {"status": "resumed"}
        resolved, rating = await shopper.receive(2)
        assert resolved["custom"] == {"handoff": "resolved", "agent": "Dana"}
        assert rating["custom"] == {"handoff": "satisfaction"}  # storefront/handoff/satisfaction.py
        assert [q["payload"] for q in rating["quick_replies"]][-1] == '/inform{"csat_score":"5"}'
        await shopper.say("/greet")
        (greeting,) = await shopper.receive()
        assert greeting["text"].startswith("Hi! I'm the store assistant.")  # the bot answers again

        # WhatsApp, and Chatwoot down when the handoff happens: the forward waits, then arrives
        number = "1555" + str(uuid.uuid4().int)[:7]
        chatwoot.down = True
        await asyncio.to_thread(_whatsapp, stack, number, "i want to talk to a person")
        await _texts_to(graph, number, 1)  # the shopper is told as usual, whatever Chatwoot does
        await asyncio.sleep(7)  # at least one attempt failed meanwhile
        assert any(r.status == 503 for r in chatwoot.requests)
        chatwoot.down = False
        opened = await _forwarded(chatwoot, conversation_id("whatsapp", number))
        delivered = await asyncio.to_thread(
            _webhook, stack, chatwoot, chatwoot.agent_reply(opened, "Hello from Chatwoot on WhatsApp")
        )
        assert delivered == {"status": "delivered"}
        texts = await _texts_to(graph, number, 2)
        assert texts[-1]["text"]["body"] == "Hello from Chatwoot on WhatsApp"
    finally:
        await shopper.close()
        await asyncio.to_thread(stack.stop)
