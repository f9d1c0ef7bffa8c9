"""storefront.scaling: the lock store endpoints.yml names, and Redis locks changed atomically."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from typing import Any, List, Tuple, Type

import pytest
import redis
from rasa.core.lock_store import InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from storefront.scaling import AtomicRedisLockStore, SwitchableLockStore
from tests.support.services import require_service


def test_the_kind_setting_chooses_rasas_in_memory_store_or_the_atomic_redis_one() -> None:
    configured = LockStore.create(EndpointConfig(type="storefront.scaling.SwitchableLockStore"))
    assert isinstance(configured, InMemoryLockStore)
    redis_store = SwitchableLockStore(EndpointConfig(url="127.0.0.1", kind="redis", port=6379, db=1))
    assert isinstance(redis_store, AtomicRedisLockStore)
    with pytest.raises(ValueError, match="LOCK_STORE_TYPE"):
        SwitchableLockStore(EndpointConfig(kind="memcached"))


def _replicas_take_turns(store_class: Type[RedisLockStore], messages: int = 30) -> Tuple[List[int], int]:
    """Two replicas (threads, each with its store and event loop) take messages for one
    conversation at once; the messages that found another holder, and the ones refused."""
    conversation = f"shopper-{uuid.uuid4().hex[:8]}"
    holding: List[int] = []
    overlaps: List[int] = []
    refused: List[int] = []
    guard = threading.Lock()

    async def message(store: RedisLockStore, number: int) -> None:
        try:
            async with store.lock(conversation, wait_time_in_seconds=0.005):
                with guard:
                    holding.append(number)
                    if len(holding) > 1:
                        overlaps.append(number)
                await asyncio.sleep(0.002)
                with guard:
                    holding.remove(number)
        except LockError:
            refused.append(number)

    def replica(offset: int) -> None:
        store = store_class(host="127.0.0.1", port=6379, db=1, key_prefix="locktest")

        async def burst() -> None:
            await asyncio.gather(*(message(store, offset + 2 * n) for n in range(messages)))

        asyncio.run(burst())

    threads = [threading.Thread(target=replica, args=(offset,)) for offset in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert redis.Redis(host="127.0.0.1", port=6379, db=1).keys(f"locktest*{conversation}*") == []
    return overlaps, len(refused)


def test_two_replicas_take_turns_on_one_conversation() -> None:
    require_service("redis")
    assert _replicas_take_turns(AtomicRedisLockStore) == ([], 0)


class _GatedRedis:
    """A TCP relay to the local Redis that holds every request until the test opens its gate."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.requests = threading.Event()  # set when a request arrived (and waits at the gate)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", 6379))
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, gated: bool) -> None:
        with source, target:
            while data := source.recv(65536):
                if gated:
                    self.requests.set()
                    if not self.gate.wait(timeout=10):
                        return  # never opened: the event loop was blocked
                target.sendall(data)

    def close(self) -> None:
        self.listener.close()


class _WatchedLockStore(AtomicRedisLockStore):
    """Reports each clean-up the lock context made (on the event loop)."""

    cleaned_up: List[int]

    async def _cleanup_async(self, conversation_id: str, ticket_number: int) -> None:
        await super()._cleanup_async(conversation_id, ticket_number)
        self.cleaned_up.append(ticket_number)


def _gated_store() -> Tuple[_WatchedLockStore, _GatedRedis]:
    require_service("redis")
    relay = _GatedRedis()
    store = _WatchedLockStore(host="127.0.0.1", port=relay.port, db=1, key_prefix="locktest")
    store.cleaned_up = []
    return store, relay


def _lock_keys(conversation: str) -> List[bytes]:
    return redis.Redis(host="127.0.0.1", port=6379, db=1).keys(f"locktest*{conversation}*")


def test_the_event_loop_serves_others_while_a_lock_waits_for_redis() -> None:
    """Rasa's lock store calls Redis on the event loop and blocks it; here the loop stays free
    meanwhile: Redis's answer waits for a gate that only another coroutine on the same loop opens."""
    store, relay = _gated_store()
    conversation = f"shopper-{uuid.uuid4().hex[:8]}"

    async def scenario() -> List[str]:
        seen: List[str] = []

        async def message() -> None:
            async with store.lock(conversation) as held:
                seen.append(f"held {held.conversation_id}")

        async def someone_else() -> None:
            while not relay.requests.is_set():  # the ticket's request is at the gate
                await asyncio.sleep(0.005)
            seen.append("served someone else")
            relay.gate.set()

        await asyncio.gather(message(), someone_else())
        return seen

    try:
        assert asyncio.run(scenario()) == ["served someone else", f"held {conversation}"]
    finally:
        relay.close()
    assert _lock_keys(conversation) == []


def test_a_message_cancelled_while_its_ticket_is_issued_gives_the_ticket_back() -> None:
    store, relay = _gated_store()
    conversation = f"shopper-{uuid.uuid4().hex[:8]}"

    async def scenario() -> None:
        entered = asyncio.Event()

        async def message() -> None:
            async with store.lock(conversation):
                entered.set()

        task = asyncio.create_task(message())
        while not relay.requests.is_set():  # the ticket's request is under way, held at the gate
            await asyncio.sleep(0.005)
        task.cancel()
        relay.gate.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not entered.is_set()
        # the ticket is issued, then given back
        for _ in range(1000):
            if store.cleaned_up:
                break
            await asyncio.sleep(0.01)
        assert store.cleaned_up == [0]
        assert _lock_keys(conversation) == []
        # and the next message for the conversation is served at once, not after the lifetime
        await asyncio.wait_for(_hold_once(store, conversation), timeout=10)

    try:
        asyncio.run(scenario())
    finally:
        relay.close()
    assert _lock_keys(conversation) == []


async def _hold_once(store: AtomicRedisLockStore, conversation: str) -> None:
    async with store.lock(conversation, wait_time_in_seconds=0.05):
        pass


def test_each_change_stores_the_lock_text_rasas_own_store_would(monkeypatch: pytest.MonkeyPatch) -> None:
    """The script applies Rasa's ticket rules: after every step the stored JSON is byte for byte
    what Rasa's RedisLockStore stores for the same steps at the same clock."""
    require_service("redis")
    clock = [1_800_000_000.125]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    conversation = f'shopper "ä/{uuid.uuid4().hex[:8]}"'
    ours = AtomicRedisLockStore(host="127.0.0.1", port=6379, db=1, key_prefix="locktestours")
    rasas = RedisLockStore(host="127.0.0.1", port=6379, db=1, key_prefix="locktestrasas")
    red = redis.Redis(host="127.0.0.1", port=6379, db=1)

    def both(step: str, *args: Any) -> Tuple[Any, Any]:
        answers = (getattr(ours, step)(conversation, *args), getattr(rasas, step)(conversation, *args))
        stored = red.get(ours.key_prefix + conversation), red.get(rasas.key_prefix + conversation)
        assert stored[0] == stored[1], step
        return answers

    assert both("issue_ticket", 60) == (0, 0)
    assert both("issue_ticket", 60) == (1, 1)
    both("finish_serving", 0)
    clock[0] += 30
    assert both("issue_ticket", 10) == (2, 2)
    both("cleanup", 7)  # no such ticket: the others stay
    clock[0] += 10  # the clock at ticket 2's expiry exactly: it is kept
    both("update_lock")
    assert len(json.loads(red.get(ours.key_prefix + conversation))["tickets"]) == 2
    clock[0] += 5  # ticket 2 has expired, ticket 1 has not
    both("update_lock")
    assert json.loads(red.get(ours.key_prefix + conversation))["tickets"] == [
        '{"number": 1, "expires": %r}' % (1_800_000_000.125 + 60)
    ]
    assert both("issue_ticket", 60) == (2, 2)
    clock[0] += 100  # every ticket has expired: numbering starts again
    assert both("issue_ticket", 60) == (0, 0)
    both("cleanup", 0)
    assert red.get(ours.key_prefix + conversation) is None
    both("update_lock")  # no lock: nothing is created
    assert red.get(ours.key_prefix + conversation) is None


def test_rasas_store_and_this_one_share_a_conversations_lock() -> None:
    require_service("redis")
    conversation = f"shopper-{uuid.uuid4().hex[:8]}"
    ours = AtomicRedisLockStore(host="127.0.0.1", port=6379, db=1, key_prefix="locktest")
    rasas = RedisLockStore(host="127.0.0.1", port=6379, db=1, key_prefix="locktest")
    assert rasas.issue_ticket(conversation) == 0
    assert ours.issue_ticket(conversation) == 1
    assert rasas.issue_ticket(conversation) == 2
    lock = rasas.get_lock(conversation)
    assert lock is not None and [ticket.number for ticket in lock.tickets] == [0, 1, 2]
    ours.cleanup(conversation, 0)
    rasas.cleanup(conversation, 2)
    assert rasas.get_lock(conversation).now_serving == 1  # type: ignore[union-attr]
    ours.cleanup(conversation, 1)
    assert _lock_keys(conversation) == []
