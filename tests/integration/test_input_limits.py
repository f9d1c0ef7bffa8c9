"""100,000+ character and deeply nested inputs on every channel of the real Rasa server.

Each gets a clear 4xx with a JSON error (REST, the storefront page API and transcript), a
``message_rejected`` event or a refused packet (socket.io), or is read up to ``MAX_MESSAGE_CHARS``
(WhatsApp and Twilio with valid signatures, which retry a refused webhook); the server keeps
serving, and a refused socket.io message never reaches the tracker, so it cannot hold up anyone.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List
from urllib.parse import urlencode

import pytest
import requests
import socketio
from twilio.request_validator import RequestValidator

from storefront.channels.conversation_ids import conversation_id
from tests.fakes.twilio_api import FakeTwilioApi
from tests.support.chat import say, settled_turn, tracker
from tests.support.messaging import post_whatsapp, served_on_thread, whatsapp_text_body
from tests.support.stacks import copy_store, second_stack_env
from tools.launcher import Stack

pytestmark = pytest.mark.integration

BIG = 100_000
MAX_CHARS = 5000  # MAX_MESSAGE_CHARS's default
WA_SECRET, WA_NUMBER_ID = "limits-app-secret", "106540352242922"
TWILIO_SID, TWILIO_TOKEN = "AC" + "0" * 31 + "7", "limits-twilio-token"


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def user_texts(stack: Stack, sender: str) -> List[str]:
    return [e["text"] for e in tracker(stack, sender)["events"] if e["event"] == "user"]


def still_serving(stack: Stack) -> None:
    replies = say(stack, f"alive-{uuid.uuid4().hex[:8]}", "hello")
    assert replies and replies[0]["text"].startswith("Hi!")


# ---- REST ----


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (json.dumps({"sender": "big", "message": "a@" * (BIG // 2)}), 413, "message_too_long"),
        (
            json.dumps({"sender": "big", "message": "hi", "metadata": {"x": "y" * 2_000_000}}),
            413,
            "too_large",
        ),
        (
            json.dumps({"sender": "big", "message": "hi", "metadata": {"x": "y" * BIG}}),
            413,
            "metadata_too_large",
        ),
        ('{"sender": "big", "message": "hi", "metadata": {"x": ' + deep(5000) + "}}", 400, "too_deep"),
    ],
    ids=["100k message", "2 MB metadata", "100k metadata", "5000-deep metadata"],
)
def test_rest_refuses_big_and_deep_requests(stack: Stack, body: str, status: int, code: str) -> None:
    reply = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        data=body.encode(),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert (reply.status_code, reply.json()["code"]) == (status, code)
    still_serving(stack)


# ---- the storefront page's API ----


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("api/transcript", json.dumps({"session_id": "x" * BIG}), 413, "too_large"),
        ("api/transcript", deep(2000), 400, "too_deep"),
        ("api/transcript", '{"session_id": ' + deep(5000) + "}", 413, "too_large"),
        ("api/sign-in", json.dumps({"email": "a@" * (BIG // 2)}), 413, "too_large"),
        ("api/sign-in", '{"email": ' + deep(1500) + "}", 400, "too_deep"),
    ],
)
def test_the_page_api_refuses_big_and_deep_bodies(
    stack: Stack, path: str, body: str, status: int, code: str
) -> None:
    reply = requests.post(
        f"{stack.rasa_url}/webhooks/storefront/{path}",
        data=body.encode(),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert (reply.status_code, reply.json()["code"]) == (status, code)
    still_serving(stack)


# ---- socket.io ----


async def _connect(stack: Stack) -> Dict[str, Any]:
    client = socketio.AsyncClient(reconnection=False)
    session_id = uuid.uuid4().hex
    events: asyncio.Queue = asyncio.Queue()
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()

    @client.on("session_confirm")
    async def on_confirm(data: Any) -> None:
        if not confirmed.done():
            confirmed.set_result(data)

    for name in ("bot_uttered", "message_rejected", "disconnect"):
        client.on(name, lambda *data, name=name: events.put_nowait((name, data[0] if data else None)))

    await client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["polling"])
    await client.emit("session_request", {"session_id": session_id})
    assert await asyncio.wait_for(confirmed, 30) == session_id
    return {"client": client, "session_id": session_id, "events": events}


async def _next(shopper: Dict[str, Any]) -> tuple:
    return await asyncio.wait_for(shopper["events"].get(), 60)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"message": "a@" * 3000}, "message_too_long"),
        ({"message": "hi", "customData": json.dumps({"x": json.loads(deep(900))})}, "too_deep"),
        ({"message": "hi", "customData": {"x": "y" * 20_000}}, "metadata_too_large"),
        ({"message": ["hi"]}, "missing_message"),
    ],
    ids=["6000 chars", "deep metadata", "20k metadata", "not text"],
)
async def test_socketio_rejects_long_text_and_big_metadata_before_rasa(
    stack: Stack, data: Dict[str, Any], code: str
) -> None:
    shopper = await _connect(stack)
    try:
        await shopper["client"].emit("user_uttered", {**data, "session_id": shopper["session_id"]})
        name, payload = await _next(shopper)
        assert (name, payload["code"]) == ("message_rejected", code)
        await shopper["client"].emit(
            "user_uttered", {"message": "hello", "session_id": shopper["session_id"]}
        )
        name, payload = await _next(shopper)
        assert name == "bot_uttered" and payload["text"].startswith("Hi!")
    finally:
        await shopper["client"].disconnect()
    settled_turn(stack, shopper["session_id"], messages=1)  # the reply comes before the turn is saved
    assert user_texts(stack, shopper["session_id"]) == ["hello"]


@pytest.mark.parametrize("size", [BIG, 1_000_000])
async def test_a_huge_socketio_message_is_refused_unread_and_others_are_answered(
    stack: Stack, size: int
) -> None:
    """The big packet is refused by engine.io before it is decoded: it never reaches NLU, so the
    other shopper, who writes after it was sent, is answered; the big sender is disconnected."""
    big, other = await _connect(stack), await _connect(stack)
    try:
        await big["client"].emit(
            "user_uttered", {"message": "a" * size + "!", "session_id": big["session_id"]}
        )
        await other["client"].emit("user_uttered", {"message": "hello", "session_id": other["session_id"]})
        name, payload = await _next(other)
        assert name == "bot_uttered" and payload["text"].startswith("Hi!")
        assert await _next(big) == ("disconnect", None)
    finally:
        for shopper in (big, other):
            await shopper["client"].disconnect()
    settled_turn(stack, other["session_id"], messages=1)  # the reply comes before the turn is saved
    assert user_texts(stack, big["session_id"]) == []
    assert user_texts(stack, other["session_id"]) == ["hello"]


# ---- WhatsApp and Twilio, signed, on a second server with both channels on ----


@pytest.fixture(scope="module")
def twilio_api() -> Iterator[FakeTwilioApi]:
    """The fake Twilio API, served from a thread of its own (the stack's Rasa server calls it)."""
    yield from served_on_thread(FakeTwilioApi(account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN))


@pytest.fixture(scope="module")
def messaging_stack(
    trained_model: Path,
    stack_env: Dict[str, str],
    store_db_url: str,
    twilio_api: FakeTwilioApi,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("messaging_stack")
    env = second_stack_env(
        stack_env, tmp, DATABASE_URL=copy_store(store_db_url, tmp),
        WHATSAPP_APP_SECRET=WA_SECRET, WHATSAPP_ACCESS_TOKEN="limits-access-token",
        WHATSAPP_PHONE_NUMBER_ID=WA_NUMBER_ID, WHATSAPP_API_BASE_URL="http://127.0.0.1:9",
        TWILIO_ACCOUNT_SID=TWILIO_SID, TWILIO_AUTH_TOKEN=TWILIO_TOKEN, TWILIO_NUMBER="+14155550100",
        TWILIO_API_BASE_URL=twilio_api.base_url,
    )  # fmt: skip
    running = Stack(model=trained_model, env=env, log_dir=tmp / "logs").start()
    try:
        yield running
    finally:
        running.stop()


def _wait_for_user_event(stack: Stack, sender: str) -> List[str]:
    for _ in range(120):  # the channels answer at once and process in the background
        texts = user_texts(stack, sender)
        if texts:
            return texts
        time.sleep(0.5)
    raise AssertionError(f"no message from {sender} reached the tracker")


def test_whatsapp_reads_the_first_characters_of_a_huge_signed_message(messaging_stack: Stack) -> None:
    number = "1555" + str(uuid.uuid4().int)[:7]
    body = whatsapp_text_body(number, "a@" * (BIG // 2), WA_NUMBER_ID, name="Big")

    def signed(data: bytes) -> requests.Response:
        return post_whatsapp(messaging_stack, data, WA_SECRET)

    assert signed(body).status_code == 200
    conversation = conversation_id("whatsapp", number)
    assert _wait_for_user_event(messaging_stack, conversation) == ["a@" * (MAX_CHARS // 2)]
    too_deep = signed(b'{"object": ' + deep(5000).encode() + b"}")
    assert (too_deep.status_code, too_deep.json()["code"]) == (400, "too_deep")
    still_serving(messaging_stack)


def test_twilio_reads_the_first_characters_of_a_huge_signed_message(
    messaging_stack: Stack, twilio_api: FakeTwilioApi
) -> None:
    sender = "whatsapp:+1555" + str(uuid.uuid4().int)[:7]
    url = f"{messaging_stack.rasa_url}/webhooks/twilio/webhook"
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": sender, "To": "whatsapp:+14155550100",
              "Body": "1" * BIG, "NumMedia": "0"}  # fmt: skip
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    reply = requests.post(
        url,
        data=urlencode(params).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
        timeout=60,
    )
    assert reply.status_code == 200
    assert _wait_for_user_event(messaging_stack, conversation_id("twilio", sender)) == ["1" * MAX_CHARS]
    assert all(len(r.body.get("Body", [""])[0]) <= 1600 for r in twilio_api.requests)
    still_serving(messaging_stack)
