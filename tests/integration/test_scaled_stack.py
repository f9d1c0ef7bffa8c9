"""The scaled configuration with Rasa's own mechanisms and real servers.

Two Rasa server replicas share a PostgreSQL tracker store and a Redis lock store and publish
events to RabbitMQ. A conversation alternates between the replicas and stays one consistent
conversation, also when both take messages for it at the same time (no event lost, duplicated or
reordered); the events reach a RabbitMQ queue. A website shopper connected to one replica gets
the agent's messages sent from the console of the other (socket.io through Redis). Skips without
the servers on a laptop; under CI=true the servers are required.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import psycopg2
import pytest
import redis

from tests.handoff.console_client import Console, Shopper
from tests.support.chat import chat, rest_id, say, tracker
from tests.support.services import require_service
from tools.launcher import Stack, free_port

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.redis, pytest.mark.rabbitmq]


@pytest.fixture()
def tracker_database() -> Iterator[str]:
    require_service("postgres")
    name = f"storefront_tracker_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture()
def scaled_env(stack_env: Dict[str, str], tracker_database: str) -> Dict[str, str]:
    require_service("redis")
    require_service("rabbitmq")
    action_port = free_port()
    return {
        **stack_env,
        "ACTION_PORT": str(action_port),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TRACKER_STORE_URL": f"postgresql://postgres@127.0.0.1:5432/{tracker_database}",
        "LOCK_STORE_TYPE": "redis",
        "LOCK_STORE_HOST": "127.0.0.1",
        "LOCK_STORE_PORT": "6379",
        "LOCK_STORE_DB": "1",
        "EVENT_BROKER_TYPE": "pika",
        "EVENT_BROKER_QUEUE": f"storefront_test_{uuid.uuid4().hex[:8]}",
    }


def _replica(base: Stack, env: Dict[str, str], port: int, log_dir: Path) -> Stack:
    replica = Stack(model=base.model, env={**env, "RASA_PORT": str(port)}, log_dir=log_dir)
    rasa = replica._rasa()
    rasa.log_path = log_dir / f"rasa-{port}.log"
    rasa.start(replica.env)
    replica.processes = [rasa]
    return replica


async def _user_texts_published(
    queue_name: str, sender: str, expected: int, timeout: float = 30.0
) -> List[str]:
    """Consume the queue until ``expected`` user messages of ``sender`` arrived (or the timeout)."""
    import aio_pika

    connection = await aio_pika.connect_robust("amqp://guest:guest@127.0.0.1:5672/")
    texts_seen: List[str] = []
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True)
        deadline = asyncio.get_running_loop().time() + timeout
        while len(texts_seen) < expected and asyncio.get_running_loop().time() < deadline:
            message = await queue.get(fail=False)
            if message is None:
                await asyncio.sleep(0.2)
                continue
            await message.ack()
            event = json.loads(message.body)
            if event.get("event") == "user" and event.get("sender_id") == rest_id(sender):
                texts_seen.append(event.get("text"))
        await queue.delete(if_unused=False, if_empty=False)
    finally:
        await connection.close()
    return texts_seen


async def _agent_on_one_replica_reaches_the_widget_on_the_other(
    widget_side: Stack, agent_side: Stack
) -> None:
    session = uuid.uuid4().hex
    shopper = await Shopper(widget_side, session).connect()
    try:
        await shopper.say("/human_handoff")
        await shopper.receive()  # the assistant's hand-off message
        console = Console(agent_side, "Sam")
        item = await asyncio.to_thread(console.handoff_for, session)
        claimed = await asyncio.to_thread(console.post, f"api/handoffs/{item['id']}/claim")
        assert claimed.status_code == 200, claimed.text
        joined = (await shopper.receive())[-1]
        assert joined["custom"] == {"handoff": "agent_joined", "agent": "Sam"}
        sent = await asyncio.to_thread(
            console.post, f"api/handoffs/{item['id']}/messages", {"text": "Hi, Sam here."}
        )
        assert sent.status_code == 200, sent.text
        (message,) = await shopper.receive()
        assert message == {"text": "Hi, Sam here.", "custom": {"handoff": "agent_message", "agent": "Sam"}}
    finally:
        await shopper.close()


# What each replica's shopper says, and the reply each message must get before the next one.
EXPECTED_REPLY = {"hello": "utter_greet", "are you a bot": "utter_iamabot", "thanks": "utter_you_are_welcome"}
MESSAGES_PER_REPLICA = 6


def _send_in_order(replica: Stack, sender: str, lane: str) -> None:
    """Send this lane's messages one after another, each numbered in its metadata."""
    texts = list(EXPECTED_REPLY)
    for number in range(MESSAGES_PER_REPLICA):
        say(replica, sender, texts[number % len(texts)], metadata={"seq": f"{lane}{number}"})


def _turns(events: List[Dict[str, Any]]) -> List[Tuple[str, str, List[str]]]:
    """``(seq, text, bot responses)`` of each user message, in tracker order."""
    turns: List[Tuple[str, str, List[str]]] = []
    for event in events:
        if event["event"] == "user":
            turns.append(((event.get("metadata") or {}).get("seq"), event["text"], []))
        elif event["event"] == "bot" and turns:
            turns[-1][2].append((event.get("metadata") or {}).get("utter_action"))
    return turns


def _concurrent_messages_to_one_conversation_stay_whole_and_ordered(replicas: List[Stack]) -> None:
    """Both replicas take messages for the same conversation at the same time.

    Rasa's Redis lock makes them take turns; the tracker store must then show every message
    exactly once, each lane's messages in the order they were sent, and every message followed by
    its own reply before the next message (no event lost, duplicated or interleaved).
    """
    sender = f"concurrent-{uuid.uuid4().hex[:8]}"
    lanes = {"a": replicas[0], "b": replicas[1]}
    with ThreadPoolExecutor(max_workers=len(lanes)) as pool:
        for done in [pool.submit(_send_in_order, replica, sender, lane) for lane, replica in lanes.items()]:
            done.result()

    for replica in replicas:
        events = tracker(replica, rest_id(sender))["events"]
        turns = _turns(events)
        seqs = [seq for seq, _, _ in turns]
        expected = sorted(f"{lane}{n}" for lane in lanes for n in range(MESSAGES_PER_REPLICA))
        assert sorted(seqs) == expected, [(e["event"], e.get("name") or e.get("text")) for e in events]
        for lane in lanes:
            assert [s for s in seqs if s.startswith(lane)] == [
                f"{lane}{n}" for n in range(MESSAGES_PER_REPLICA)
            ]
        for seq, text, responses in turns:
            assert responses == [EXPECTED_REPLY[text]], (seq, text, responses)


def test_two_replicas_share_one_conversation(
    trained_model: Path, scaled_env: Dict[str, str], tmp_path: Path
) -> None:
    base = Stack(model=trained_model, env=scaled_env, log_dir=tmp_path)
    actions = base._actions()
    actions.start(scaled_env)
    replicas: List[Stack] = []
    try:
        replicas = [_replica(base, scaled_env, free_port(), tmp_path) for _ in range(2)]
        base.processes = [actions]
        base.wait_healthy(120)
        for replica in replicas:
            replica.wait_healthy(240)

        sender = f"scaled-{uuid.uuid4().hex[:8]}"
        assert chat(replicas[0], sender, "hello").responses == ["utter_greet"]
        assert chat(replicas[1], sender, "are you a bot").responses == ["utter_iamabot"]
        assert chat(replicas[0], sender, "thanks").responses == ["utter_you_are_welcome"]

        # Both replicas read the same conversation from PostgreSQL.
        for replica in replicas:
            users = [e["text"] for e in tracker(replica, rest_id(sender))["events"] if e["event"] == "user"]
            assert users == ["hello", "are you a bot", "thanks"]

        # The lock store is Redis: no lock is left behind once the messages are processed.
        keys = redis.Redis(host="127.0.0.1", port=6379, db=1).keys(f"storefront*{sender}*")
        assert keys == []

        # Every user message was published to RabbitMQ by one replica or the other.
        published = asyncio.run(_user_texts_published(scaled_env["EVENT_BROKER_QUEUE"], sender, expected=3))
        assert published == ["hello", "are you a bot", "thanks"]

        _concurrent_messages_to_one_conversation_stay_whole_and_ordered(replicas)

        # The widget is connected to replica 0, the agent works on replica 1.
        asyncio.run(_agent_on_one_replica_reaches_the_widget_on_the_other(replicas[0], replicas[1]))
    finally:
        for replica in replicas:
            replica.stop()
        actions.stop()
