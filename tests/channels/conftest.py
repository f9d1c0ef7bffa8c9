"""Fixtures for channel tests: fake vendor APIs, a real Sanic server, signed webhook payloads."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, Tuple

import aiohttp
import pytest
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic

from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.twilio_api import FakeTwilioApi
from tools.launcher import free_port

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
BUSINESS_NUMBER_ID = "106540352242922"
SHOPPER = "15551234567"


class Collector:
    """A stand-in for Rasa's ``on_new_message``: records messages, optionally replies or fails."""

    def __init__(self) -> None:
        self.messages: List[UserMessage] = []
        self.reply: Optional[Callable[[UserMessage], Awaitable[None]]] = None
        self.fail_times = 0
        self.arrived = asyncio.Event()

    async def __call__(self, message: UserMessage) -> None:
        if self.fail_times:
            self.fail_times -= 1
            raise RuntimeError("the bot failed")
        self.messages.append(message)
        self.arrived.set()
        if self.reply is not None:
            await self.reply(message)

    async def wait_for(self, count: int, timeout: float = 10.0) -> List[UserMessage]:
        """Wait until ``count`` messages arrived (the channel may process in the background)."""

        async def enough() -> None:
            while len(self.messages) < count:
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(enough(), timeout)
        return self.messages


@asynccontextmanager
async def serve(
    channel: InputChannel, handler: Callable[[UserMessage], Awaitable[Any]]
) -> AsyncIterator[str]:
    """Run a real Sanic server with ``channel`` mounted as ``rasa run`` mounts it; yield its URL."""
    Sanic.test_mode = True
    app = Sanic(f"channels_{uuid.uuid4().hex[:12]}")
    app.blueprint(channel.blueprint(handler), url_prefix=f"/webhooks/{channel.url_prefix()}")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}/webhooks/{channel.url_prefix()}"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    """The ``X-Hub-Signature-256`` header Meta would send."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook(
    messages: List[Dict[str, Any]], contacts: Optional[List[Dict[str, Any]]] = None, **value: Any
) -> bytes:
    """A WhatsApp Cloud API webhook body carrying ``messages``."""
    change_value: Dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550009999", "phone_number_id": BUSINESS_NUMBER_ID},
        "contacts": contacts
        if contacts is not None
        else [{"profile": {"name": "Ana Silva"}, "wa_id": SHOPPER}],
        "messages": messages,
        **value,
    }
    if not messages:
        del change_value["messages"]
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": change_value}]}],
    }
    return json.dumps(body).encode()


def text_message(
    text: str, message_id: str = "wamid.A1", sender: str = SHOPPER, ts: Optional[str] = None
) -> Dict[str, Any]:
    """A text message as Meta sends it (``timestamp`` defaults to now, so the 24-hour window is open)."""
    stamp = ts if ts is not None else str(int(time.time()))
    return {"from": sender, "id": message_id, "timestamp": stamp, "type": "text", "text": {"body": text}}


async def post(url: str, body: bytes, headers: Dict[str, str]) -> Tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        return response.status, await response.text()


async def post_signed(url: str, body: bytes) -> Tuple[int, str]:
    return await post(url, body, {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)})


@pytest.fixture
async def graph_api() -> AsyncIterator[FakeGraphApi]:
    fake = await FakeGraphApi(phone_number_id=BUSINESS_NUMBER_ID).start()
    yield fake
    await fake.stop()


@pytest.fixture
async def twilio_api() -> AsyncIterator[FakeTwilioApi]:
    fake = await FakeTwilioApi().start()
    yield fake
    await fake.stop()


@pytest.fixture
def collector() -> Collector:
    return Collector()
