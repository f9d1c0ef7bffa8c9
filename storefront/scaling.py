"""Pieces that let one ``endpoints.yml`` serve both the embedded default and a scaled deployment."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import weakref
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, List, Optional, Set, Tuple

from rasa.core.brokers.broker import EventBroker
from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    LockStore,
    RedisLockStore,
)
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)


class SwitchableEventBroker(EventBroker):
    """Chooses Rasa's own event broker from the ``kind`` setting, or none at all.

    Rasa's ``${VAR}`` substitution can fill a value but cannot remove a whole ``event_broker``
    section, so ``kind: none`` (the default) means "no broker" and ``kind: pika`` builds Rasa's
    ``PikaEventBroker`` (RabbitMQ) from the same section.

    Rasa builds it at start-up before anything else of ours, so it also installs the server's
    safeguards (:func:`storefront.startup.install_safeguards`).
    """

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: EndpointConfig,
        event_loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> Optional[EventBroker]:
        """Build the configured broker, or return ``None`` for ``kind: none``."""
        from storefront.startup import install_safeguards

        install_safeguards()
        kwargs = dict(broker_config.kwargs)
        kind = str(kwargs.pop("kind", "none")).strip().lower()
        if kind in ("", "none"):
            logger.debug("No event broker configured (EVENT_BROKER_TYPE=none).")
            return None
        if kind == "pika":
            from rasa.core.brokers.pika import PikaEventBroker

            kwargs["port"] = int(kwargs.get("port", 5672))
            config = EndpointConfig(url=broker_config.url, type="pika", **kwargs)
            return await PikaEventBroker.from_endpoint_config(config, event_loop)
        raise ValueError(f"EVENT_BROKER_TYPE={kind!r} must be one of: none, pika")


# One change of a conversation's lock, applied by Redis itself (a script runs atomically), with
# Rasa's ticket rules (rasa.core.lock.TicketLock) and Rasa's JSON text, byte for byte.
# KEYS[1]: the lock's key. ARGV[1]: "issue", "finish", "cleanup" or "expire". ARGV[2]: the caller's
# clock (time.time(), as Rasa compares it with each ticket's expiry). ARGV[3]: the conversation id
# as JSON. ARGV[4]: "issue": the new ticket's expiry (Python's repr); "finish" and "cleanup": the
# ticket number to remove. Tickets whose expiry is before the caller's clock are dropped first.
# Returns the lock's JSON as stored (with, for "issue", the new ticket's number first), or false
# when there is no lock (and nothing but "issue" creates one); "cleanup" deletes a lock nobody
# waits on and returns an empty string.
_TICKET_SCRIPT = """
local operation = ARGV[1]
local stored = redis.call('GET', KEYS[1])
if not stored and operation ~= 'issue' then
  return false
end
local now = tonumber(ARGV[2])
local texts, numbers = {}, {}
if stored then
  for _, text in ipairs(cjson.decode(stored).tickets or {}) do
    local ticket = cjson.decode(text)
    if not (now > ticket.expires) then
      texts[#texts + 1] = text
      numbers[#numbers + 1] = ticket.number
    end
  end
end
local issued = nil
if operation == 'issue' then
  issued = (numbers[#numbers] or -1) + 1
  texts[#texts + 1] = string.format('{"number": %d, "expires": %s}', issued, ARGV[4])
  numbers[#numbers + 1] = issued
elseif operation == 'finish' or operation == 'cleanup' then
  local number = tonumber(ARGV[4])
  for index = 1, #numbers do
    if numbers[index] == number then
      table.remove(texts, index)
      table.remove(numbers, index)
      break
    end
  end
end
if operation == 'cleanup' and #texts == 0 then
  redis.call('DEL', KEYS[1])
  return ''
end
local quoted = {}
for index, text in ipairs(texts) do
  quoted[index] = cjson.encode(text)
end
local lock = '{"conversation_id": ' .. ARGV[3] .. ', "tickets": [' .. table.concat(quoted, ', ') .. ']}'
redis.call('SET', KEYS[1], lock)
if issued then
  return {issued, lock}
end
return lock
"""


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store, with each change of a conversation's lock made atomically.

    Rasa 3.6's :class:`~rasa.core.lock_store.RedisLockStore` reads a lock, changes it in Python and
    writes it back. Two replicas taking messages for the same conversation at the same moment
    overwrite each other's ticket: both then process the conversation at once (events from one
    are lost from the other's view), or one deletes the lock the other waits on and that message
    fails with ``LockError`` (both seen in ``tests/integration/test_scaled_stack.py``). Here every
    change (issue a ticket, drop expired ones, finish serving, clean up) is one Redis script
    (``EVALSHA``): Redis runs it atomically, in one round trip, with Rasa's ticket rules. The keys
    and their JSON text are Rasa's own, so replicas of either kind can share a Redis database.

    :meth:`lock`, the one Rasa's processor uses per message, talks to Redis with ``redis.asyncio``
    on the running event loop (one client per loop, same connection settings as Rasa's); Rasa's
    blocking methods (``issue_ticket``, ``cleanup`` and the rest) keep Rasa's client.
    """

    def __init__(
        self,
        host: str = "localhost",
        port: int = 6379,
        db: int = 1,
        username: Optional[str] = None,
        password: Optional[str] = None,
        use_ssl: bool = False,
        ssl_certfile: Optional[str] = None,
        ssl_keyfile: Optional[str] = None,
        ssl_ca_certs: Optional[str] = None,
        key_prefix: Optional[str] = None,
        socket_timeout: float = DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
    ) -> None:
        super().__init__(
            host, port, db, username, password, use_ssl, ssl_certfile, ssl_keyfile, ssl_ca_certs,
            key_prefix, socket_timeout,
        )  # fmt: skip
        self._ticket_script = self.red.register_script(_TICKET_SCRIPT)
        self._connection = dict(
            host=host, port=int(port), db=int(db), username=username, password=password, ssl=use_ssl,
            ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile, ssl_ca_certs=ssl_ca_certs,
            socket_timeout=socket_timeout,
        )  # fmt: skip
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopClient] = (
            weakref.WeakKeyDictionary()
        )
        self._giving_back: Set[asyncio.Task[None]] = set()

    def _client(self) -> _LoopClient:
        """The running loop's ``redis.asyncio`` client and script (made on first use, per process)."""
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None or client.pid != os.getpid():  # a forked worker makes its own connections
            client = self._clients[loop] = _LoopClient(self._connection)
        return client

    async def _run(self, conversation_id: str, operation: str, argument: str = "") -> Any:
        """The ticket script's ``operation`` on the conversation's lock, on the running loop."""
        return await self._client().script(**self._script_call(conversation_id, operation, argument))

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[TicketLock]:
        """Rasa's ``LockStore.lock``, with every Redis round trip awaited on the event loop.

        Rasa calls the lock store's blocking methods on the event loop: each message waited
        there for seven Redis round trips (a ticket, the lock, the clean-up), and while it waited
        the worker served no one else (under load, up to a tenth of a worker's busy time was spent
        reading Redis's answers). Here the loop goes on meanwhile: one round trip issues the
        ticket and returns the lock it belongs to (so a conversation nobody else is served for is
        acquired without asking Redis again), one cleans up. The order of operations, the keys
        and the semantics are Rasa's.
        """
        issued = asyncio.ensure_future(self._issue_async(conversation_id, lock_lifetime))
        try:
            ticket, lock = await asyncio.shield(issued)
        except asyncio.CancelledError:
            # the ticket is (or will be) issued all the same: give it back once it is
            issued.add_done_callback(lambda done: self._give_back(conversation_id, done))
            raise
        try:
            if lock.is_locked(ticket):
                lock = await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
            else:
                logger.debug(f"Acquired lock for conversation '{conversation_id}'.")
            yield lock
        finally:
            await asyncio.shield(self._cleanup_async(conversation_id, ticket))

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        """Rasa's wait for the ticket's turn, each look at the lock awaited on the event loop."""
        while True:
            stored = await self._client().redis.get(self.key_prefix + conversation_id)
            if not stored:
                break
            lock = TicketLock.from_dict(json.loads(stored))
            if not lock.is_locked(ticket):
                logger.debug(f"Acquired lock for conversation '{conversation_id}'.")
                return lock
            logger.debug(
                f"Failed to acquire lock for conversation ID '{conversation_id}' because "
                f"{ticket - (lock.now_serving or 0)} other item(s) for this conversation ID have to "
                f"be finished processing first. Retrying in {wait_time_in_seconds} seconds ..."
            )
            await asyncio.sleep(wait_time_in_seconds)
            await self._run(conversation_id, "expire")
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")

    async def _issue_async(self, conversation_id: str, lock_lifetime: float) -> Tuple[int, TicketLock]:
        """A new ticket and the lock as stored with it (one script)."""
        try:
            ticket, stored = await self._run(conversation_id, "issue", repr(time.time() + lock_lifetime))
        except Exception as error:  # Rasa's own contract: any failure here is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return int(ticket), TicketLock.from_dict(json.loads(stored))

    async def _cleanup_async(self, conversation_id: str, ticket_number: int) -> None:
        """Finish serving the ticket and delete the lock if no one waits, in one step."""
        if await self._run(conversation_id, "cleanup", str(int(ticket_number))) in (b"", ""):
            self._log_deletion(conversation_id, True)

    def _give_back(self, conversation_id: str, issued: asyncio.Future[Tuple[int, TicketLock]]) -> None:
        if not issued.cancelled() and issued.exception() is None:
            task = asyncio.ensure_future(self._cleanup_async(conversation_id, issued.result()[0]))
            self._giving_back.add(task)  # held until done (the loop keeps only weak references)
            task.add_done_callback(self._giving_back.discard)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            ticket, _ = self._change(conversation_id, "issue", repr(time.time() + lock_lifetime))
        except Exception as error:  # Rasa's own contract: any failure here is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return int(ticket)

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, "expire")

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, "finish", str(int(ticket_number)))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Finish serving the ticket and delete the lock if no one waits, in one step."""
        if self._change(conversation_id, "cleanup", str(int(ticket_number))) in (b"", ""):
            self._log_deletion(conversation_id, True)

    def _change(self, conversation_id: str, operation: str, argument: str = "") -> Any:
        """The ticket script's ``operation`` on the conversation's lock, with Rasa's client."""
        return self._ticket_script(**self._script_call(conversation_id, operation, argument))

    def _script_call(self, conversation_id: str, operation: str, argument: str) -> Dict[str, List[str]]:
        """The ticket script's keys and arguments (the caller's clock read now, as Rasa's would be)."""
        return {
            "keys": [self.key_prefix + conversation_id],
            "args": [operation, repr(time.time()), json.dumps(conversation_id), argument],
        }


class _LoopClient:
    """A ``redis.asyncio`` client of one event loop in one process, and the ticket script on it."""

    def __init__(self, connection: Dict[str, Any]) -> None:
        import redis.asyncio

        self.pid = os.getpid()
        self.redis = redis.asyncio.Redis(**connection)
        self.script = self.redis.register_script(_TICKET_SCRIPT)


class SwitchableLockStore:
    """Chooses the lock store from the ``kind`` setting (``LOCK_STORE_TYPE``).

    Rasa builds a custom lock store as ``cls(endpoint_config=...)``; this class is that factory
    (its ``__new__`` returns the store): ``in_memory`` is Rasa's :class:`InMemoryLockStore`,
    ``redis`` is :class:`AtomicRedisLockStore` built from the same section as Rasa's ``redis`` type.
    """

    def __new__(cls, endpoint_config: EndpointConfig) -> LockStore:  # type: ignore[misc]
        kwargs = dict(endpoint_config.kwargs)
        kind = str(kwargs.pop("kind", "in_memory")).strip().lower()
        if kind in ("", "in_memory"):
            workers = os.environ.get("SANIC_WORKERS", "1").strip()
            if workers.isdigit() and int(workers) > 1:
                raise ValueError(
                    f"SANIC_WORKERS={workers} needs LOCK_STORE_TYPE=redis: an in-memory lock store "
                    "cannot keep two worker processes from answering one conversation at once"
                )
            return InMemoryLockStore()
        if kind == "redis":
            return AtomicRedisLockStore(host=endpoint_config.url, **kwargs)
        raise ValueError(f"LOCK_STORE_TYPE={kind!r} must be one of: in_memory, redis")
