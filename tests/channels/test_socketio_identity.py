"""The widget's signed customer token and the socket.io channel's shopper identity (metadata contract).

Unit tests check the token and the metadata rules; the integration tests send real socket.io
messages to the real Rasa server and read the stored user events back from its tracker.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from typing import Any, Dict, List, Optional

import jwt
import pytest
import socketio
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from storefront.channels.socketio import SocketIOInput, valid_session_id
from storefront.widget_auth import (
    apply_customer_token,
    issue_customer_token,
    verify_customer_token,
)
from tests.conftest import TEST_WIDGET_SECRET
from tests.support.chat import tracker
from tools.launcher import Stack

SECRET = "unit-test-widget-secret-0123456789abcdef"
NOW = 1_800_000_000.0
AVA = "ava.shopper@example.com"
RASA_KEYS = {"assistant_id", "model_id"}  # Rasa adds these to every user message's metadata


def token(email: str = AVA, secret: str = SECRET, ttl: int = 600, now: float = NOW) -> str:
    return issue_customer_token(secret, email, ttl_seconds=ttl, now=now)


# ---- the token ----


def test_a_valid_token_names_its_customer() -> None:
    assert verify_customer_token(SECRET, token(" Ava.Shopper@Example.com "), now=NOW + 1) == AVA


@pytest.mark.parametrize(
    ("description", "make", "now"),
    [
        ("signed with another secret", lambda: token(secret="someone-elses-secret-0123456789abcdef"), NOW),
        ("expired", lambda: token(ttl=600), NOW + 600),
        ("long expired", lambda: token(ttl=600), NOW + 86_400),
        ("not a token", lambda: "not-a-token", NOW),
        ("empty", lambda: "", NOW),
        ("not a string", lambda: {"email": AVA}, NOW),
        ("unsigned (alg none)", lambda: jwt.encode(
            {"email": AVA, "iat": int(NOW), "exp": int(NOW) + 600, "aud": "storefront-widget"}, None,
            algorithm="none"), NOW),
        ("another audience", lambda: jwt.encode(
            {"email": AVA, "iat": int(NOW), "exp": int(NOW) + 600, "aud": "agent-console"}, SECRET,
            algorithm="HS256"), NOW),
        ("without expiry", lambda: jwt.encode(
            {"email": AVA, "iat": int(NOW), "aud": "storefront-widget"}, SECRET, algorithm="HS256"), NOW),
        ("oversized", lambda: token() + "A" * 3000, NOW),
    ],
)  # fmt: skip
def test_bad_tokens_are_refused(description: str, make: Any, now: float) -> None:
    assert verify_customer_token(SECRET, make(), now=now) is None, description


def test_a_token_whose_claims_were_edited_is_refused() -> None:
    header, claims, signature = token().split(".")
    payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    payload["email"] = "hugo.highvalue@example.com"
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    assert verify_customer_token(SECRET, f"{header}.{forged}.{signature}", now=NOW) is None


def test_no_secret_means_no_verified_shopper() -> None:
    assert verify_customer_token("", token(), now=NOW) is None
    with pytest.raises(ValueError, match="WIDGET_SIGNING_SECRET is empty"):
        issue_customer_token("", AVA)


@pytest.mark.parametrize(("email", "ttl"), [("not-an-email", 60), (AVA, 0)])
def test_issuing_checks_its_input(email: str, ttl: int) -> None:
    with pytest.raises(ValueError):
        issue_customer_token(SECRET, email, ttl_seconds=ttl)


# ---- metadata rules ----

PAGE = {
    "page": {"product": "harbor-rain-shell", "url": "http://shop/p"},
    "cart": [{"sku": "JKT-1", "quantity": 1}],
}
FORGED_SHOPPER = {"channel": "web", "proved_by": "socketio", "verified_email": "hugo.highvalue@example.com"}
FORGED_CLIENT = {"channel": "socketio", "address": "10.9.8.7"}
VERIFIED = {"channel": "web", "proved_by": "socketio", "verified_email": AVA}
LOOPBACK = {"channel": "socketio", "address": "127.0.0.1"}


def test_a_valid_token_becomes_the_shopper_and_is_not_kept() -> None:
    cleaned = apply_customer_token({**PAGE, "customer_token": token()}, SECRET, now=NOW)
    assert cleaned == {**PAGE, "shopper": VERIFIED}


def test_a_client_supplied_shopper_is_replaced_by_the_verified_one() -> None:
    metadata = {**PAGE, "customer_token": token(), "shopper": FORGED_SHOPPER}
    assert apply_customer_token(metadata, SECRET, now=NOW)["shopper"] == VERIFIED


@pytest.mark.parametrize(
    "extra",
    [
        {"shopper": FORGED_SHOPPER},
        {"shopper": FORGED_SHOPPER, "customer_token": "forged"},
        {"client": FORGED_CLIENT},
        {"customer_token": token(secret="someone-elses-secret-0123456789abcdef")},
        {"customer_token": token(ttl=1)},
    ],
)
def test_without_a_valid_token_there_is_no_shopper(extra: Dict[str, Any]) -> None:
    assert apply_customer_token({**PAGE, **extra}, SECRET, now=NOW + 5) == PAGE


def message(sender: str, metadata: Any) -> UserMessage:
    return UserMessage("hi", CollectingOutputChannel(), sender, input_channel="socketio", metadata=metadata)


def channel(persistence: bool = True) -> SocketIOInput:
    built = SocketIOInput.from_credentials(
        {"session_persistence": persistence, "metadata_key": "customData", "customer_token_secret": SECRET}
    )
    assert isinstance(built, SocketIOInput)
    return built


def test_the_channel_verifies_each_message() -> None:
    session = uuid.uuid4().hex
    fresh = token(now=time.time())
    checked = channel().trusted(
        message(
            session, {**PAGE, "customer_token": fresh, "shopper": FORGED_SHOPPER, "client": FORGED_CLIENT}
        ),
        "192.0.2.10",
    )
    assert checked is not None
    assert checked.metadata == {
        **PAGE, "shopper": VERIFIED, "client": {"channel": "socketio", "address": "192.0.2.10"},
    }  # fmt: skip


@pytest.mark.parametrize("metadata", [None, [], "text", 7])
def test_metadata_that_is_not_an_object_is_dropped(metadata: Any) -> None:
    checked = channel().trusted(message(uuid.uuid4().hex, metadata))
    assert checked is not None and checked.metadata == {}


@pytest.mark.parametrize(
    "session_id",
    ["15551234567", "whatsapp:+15551234567", "US.13491208655302741918", uuid.uuid4().hex.upper(),
     uuid.uuid4().hex[:31], str(uuid.uuid4()), ""],
)  # fmt: skip
def test_only_random_session_ids_name_a_widget_conversation(session_id: str) -> None:
    assert not valid_session_id(session_id)
    assert channel().trusted(message(session_id, {})) is None
    # without session persistence the socket's own id is the conversation: nothing to guard
    assert channel(persistence=False).trusted(message(session_id, {})) is not None


def test_the_secret_defaults_to_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIDGET_SIGNING_SECRET", SECRET)
    built = SocketIOInput.from_credentials({"session_persistence": "true"})
    assert isinstance(built, SocketIOInput)
    checked = built.trusted(message(uuid.uuid4().hex, {"customer_token": token(now=time.time())}))
    assert checked is not None and checked.metadata == {"shopper": VERIFIED}


# ---- through the real Rasa server ----


class Widget:
    """A socket.io client that speaks the widget's protocol."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient()
        self.replies: asyncio.Queue = asyncio.Queue()
        self.confirmed: asyncio.Queue = asyncio.Queue()
        self.client.on("session_confirm", self.confirmed.put)
        self.client.on("bot_uttered", self.replies.put)

    async def open(self, stack: Stack, session_id: Optional[str]) -> str:
        await self.client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["polling"])
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.confirmed.get(), 30)

    async def say(self, session_id: str, text: str, custom_data: Dict[str, Any]) -> Dict[str, Any]:
        await self.client.emit(
            "user_uttered", {"message": text, "session_id": session_id, "customData": custom_data}
        )
        return await asyncio.wait_for(self.replies.get(), 60)


def user_events(stack: Stack, conversation_id: str) -> List[Dict[str, Any]]:
    return [e for e in tracker(stack, conversation_id)["events"] if e["event"] == "user"]


async def stored_user_events(stack: Stack, conversation_id: str, count: int) -> List[Dict[str, Any]]:
    """The user events once ``count`` of them are stored (a reply may come before the save)."""
    deadline = time.monotonic() + 30
    while True:
        events = user_events(stack, conversation_id)
        if len(events) >= count or time.monotonic() > deadline:
            return events
        await asyncio.sleep(0.2)


@pytest.mark.integration
async def test_the_tracker_stores_only_verified_identity(stack: Stack) -> None:
    session_id = uuid.uuid4().hex
    valid = issue_customer_token(TEST_WIDGET_SECRET, AVA, ttl_seconds=600)
    forged = issue_customer_token("not-the-servers-secret-0123456789abcdef", AVA, ttl_seconds=600)
    expired = issue_customer_token(TEST_WIDGET_SECRET, AVA, ttl_seconds=60, now=time.time() - 3600)
    widget = Widget()
    try:
        assert await widget.open(stack, session_id) == session_id
        sent = [
            {**PAGE, "customer_token": valid, "shopper": FORGED_SHOPPER},
            {**PAGE, "customer_token": forged},
            {**PAGE, "customer_token": expired},
            {**PAGE, "shopper": FORGED_SHOPPER, "client": FORGED_CLIENT},
        ]
        for custom_data in sent:
            await widget.say(session_id, "hello", custom_data)
    finally:
        await widget.client.disconnect()
    metadata = [
        {k: v for k, v in event["metadata"].items() if k not in RASA_KEYS}
        for event in await stored_user_events(stack, session_id, 4)
    ]
    assert len(metadata) == 4
    # the socket's own address is the client, whatever the page claims
    assert metadata[0] == {**PAGE, "shopper": VERIFIED, "client": LOOPBACK}
    assert metadata[1:] == [{**PAGE, "client": LOOPBACK}] * 3


@pytest.mark.integration
async def test_a_session_id_that_is_not_random_gets_a_fresh_one(stack: Stack) -> None:
    phone_conversation = "15551234567"  # a WhatsApp conversation's id
    widget = Widget()
    try:
        confirmed = await widget.open(stack, phone_conversation)
        assert confirmed != phone_conversation and valid_session_id(confirmed)
        await widget.client.emit("user_uttered", {"message": "hello", "session_id": phone_conversation})
        reply = await widget.say(confirmed, "hello", {})
    finally:
        await widget.client.disconnect()
    assert reply["text"]  # the fresh session is answered...
    assert user_events(stack, phone_conversation) == []  # ...and nothing reached the phone's conversation
    assert [e["text"] for e in await stored_user_events(stack, confirmed, 1)] == ["hello"]
