"""The website widget's channel: a real socket.io client with session_persistence gets its reply."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any, Dict, List

import pytest
import socketio
from sqlalchemy import delete, select

from core import clock
from core.settings import load_settings
from store.db import make_engine, session_scope
from store.models import OutboxMessage, Variant
from storefront.channels.socketio import SocketIOInput, make_enter_room_safe, redis_manager_url
from tests.support.chat import settled_turn, tracker
from tools.launcher import Stack


async def _connect(
    stack: Stack, session_id: str
) -> tuple[socketio.AsyncClient, asyncio.Queue[Dict[str, Any]]]:
    client = socketio.AsyncClient()
    replies: asyncio.Queue = asyncio.Queue()
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()

    @client.on("session_confirm")
    async def on_confirm(data: Any) -> None:
        if not confirmed.done():
            confirmed.set_result(data)

    @client.on("bot_uttered")
    async def on_bot(data: Dict[str, Any]) -> None:
        await replies.put(data)

    await client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["polling"])
    await client.emit("session_request", {"session_id": session_id})
    assert await asyncio.wait_for(confirmed, 30) == session_id
    return client, replies


async def _collect(replies: asyncio.Queue[Dict[str, Any]], at_least: int = 1) -> List[Dict[str, Any]]:
    got = [await asyncio.wait_for(replies.get(), 60) for _ in range(at_least)]
    return got


@pytest.mark.integration
async def test_reply_arrives_with_session_persistence(stack: Stack) -> None:
    session_id = uuid.uuid4().hex
    client, replies = await _connect(stack, session_id)
    try:
        await client.emit(
            "user_uttered",
            {"message": "hello", "session_id": session_id, "customData": {"page": "/products/trail-jacket"}},
        )
        (reply,) = await _collect(replies)
        assert settled_turn(stack, session_id, messages=1).responses == ["utter_greet"]
        assert {q["payload"] for q in reply["quick_replies"]} >= {"/order_status", "/human_handoff"}
    finally:
        await client.disconnect()

    # The conversation id is the session id, so a page reload (a new socket) continues it.
    client, replies = await _connect(stack, session_id)
    try:
        await client.emit("user_uttered", {"message": "are you a bot", "session_id": session_id})
        await _collect(replies)
        assert settled_turn(stack, session_id, messages=2).responses == ["utter_iamabot"]
    finally:
        await client.disconnect()
    events = tracker(stack, session_id)["events"]
    users = [e for e in events if e["event"] == "user"]
    assert [u["text"] for u in users] == ["hello", "are you a bot"]
    assert users[0]["metadata"]["page"] == "/products/trail-jacket"


async def test_enter_room_coroutine_is_scheduled_not_dropped() -> None:
    """python-socketio >= 5.10 returns a coroutine from enter_room; it must still run."""
    joined: List[tuple] = []

    class NewStyleServer:
        async def enter_room(self, sid: str, room: str, namespace: str | None = None) -> None:
            joined.append((sid, room, namespace))

    server = NewStyleServer()
    make_enter_room_safe(server)  # type: ignore[arg-type]
    server.enter_room("sid-1", "session-1")  # called without await, as Rasa 3.6 does
    await asyncio.sleep(0)
    assert joined == [("sid-1", "session-1", None)]


def test_enter_room_plain_function_still_works() -> None:
    joined: List[tuple] = []

    class OldStyleServer:
        def enter_room(self, sid: str, room: str, namespace: str | None = None) -> None:
            joined.append((sid, room, namespace))

    server = OldStyleServer()
    make_enter_room_safe(server)  # type: ignore[arg-type]
    server.enter_room("sid-2", "session-2", namespace="/")
    assert joined == [("sid-2", "session-2", "/")]


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("false", False), (True, True), ("0", False), ("", False)]
)
def test_session_persistence_reads_env_strings_as_booleans(raw: Any, expected: bool) -> None:
    channel = SocketIOInput.from_credentials({"session_persistence": raw})
    assert isinstance(channel, SocketIOInput) and channel.session_persistence is expected


def test_session_persistence_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="session_persistence='maybe' must be true or false"):
        SocketIOInput.from_credentials({"session_persistence": "maybe"})


def test_replicas_share_socketio_through_the_redis_lock_store_only() -> None:
    assert redis_manager_url(load_settings({"LOCK_STORE_TYPE": "in_memory"})) is None
    settings = load_settings({"LOCK_STORE_TYPE": "redis", "LOCK_STORE_HOST": "10.0.0.5",
                              "LOCK_STORE_PORT": "6380", "LOCK_STORE_DB": "2"})  # fmt: skip
    assert redis_manager_url(settings) == "redis://10.0.0.5:6380/2"


@pytest.mark.integration
async def test_a_widget_message_after_a_proactive_message_to_its_conversation_carries_it(
    stack: Stack, store_db_url: str
) -> None:
    # a back-in-stock alert asked for in this widget conversation went out by email an hour ago;
    # the shopper comes back to the chat: the message says what the alert was about, and a
    # client's own "proactive" is never taken
    session_id = uuid.uuid4().hex
    engine = make_engine(store_db_url)
    with session_scope(engine) as session:
        variant = session.execute(select(Variant).order_by(Variant.id).limit(1)).scalar_one()
        sku, handle = variant.sku, variant.product.handle
        sent_at = clock.now() - timedelta(hours=1)
        alert = OutboxMessage(
            idempotency_key=f"back_in_stock:w@example.com:{sku}:{session_id}", trigger="back_in_stock",
            purpose="marketing", channel="email", recipient="w@example.com", conversation_id=session_id,
            response="utter_proactive_back_in_stock", params={"sku": sku, "product": variant.product.title},
            status="sent", due_at=sent_at, created_at=sent_at, attempts=1, sent_at=sent_at,
        )  # fmt: skip
        session.add(alert)
        session.flush()
        alert_id = alert.id
    client, replies = await _connect(stack, session_id)
    try:
        forged = {"proactive": {"trigger": "order_shipped", "order": "#1001"}}
        message = {"message": "hello", "session_id": session_id, "customData": forged}
        await client.emit("user_uttered", message)
        await _collect(replies)
        settled_turn(stack, session_id, messages=1)  # the reply comes before the turn is saved
        [said] = [e for e in tracker(stack, session_id)["events"] if e["event"] == "user"]
        assert said["metadata"]["proactive"] == {
            "outbox_id": alert_id, "trigger": "back_in_stock", "channel": "email",
            "sent_at": sent_at.isoformat(), "product": handle, "sku": sku,
        }  # fmt: skip
    finally:
        await client.disconnect()
        with session_scope(engine) as session:
            session.execute(delete(OutboxMessage).where(OutboxMessage.id == alert_id))
