"""storefront.scaling: the lock store endpoints.yml names, and Redis locks changed atomically."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import List, Tuple, Type

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
