"""What a messaging channel remembers about conversations, and how it hands messages to Rasa.

- :class:`RecentIds` drops webhook retries (bounded in size and age); :class:`SharedRecentIds`
  does it in Redis when the Rasa replicas share a Redis lock store, so that a retry that reaches
  another replica is dropped too (:func:`recent_ids_from_settings` picks one).
- :class:`ConversationFacts` reads the tracker store: when the shopper last wrote on this channel
  (the 24-hour window), which options the bot offered last, and whether the shopper opted out.
  The tracker survives restarts and is shared by every Rasa replica, so no private table is kept;
  without a tracker store (a bare Sanic app in tests) an in-process memory stands in.
- :class:`OrderedDispatcher` answers the webhook at once and processes each conversation's
  messages in arrival order in the background, draining what is pending when the server stops.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List, Optional, Protocol, Set

from core.settings import Settings
from storefront.channels.whatsapp_format import Option, options_from_buttons

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 24 * 60 * 60
TrackerStoreSource = Callable[[], Optional[Any]]


class RecentIds:
    """A set of message ids that forgets the oldest past ``max_size`` or after ``ttl`` seconds."""

    def __init__(
        self, max_size: int = 20_000, ttl: float = 7 * 24 * 3600, clock: Callable[[], float] = time.monotonic
    ):
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._max_size, self._ttl, self._clock = max_size, ttl, clock

    def add(self, message_id: str) -> bool:
        """Record ``message_id``; False if it was already recorded (a retry)."""
        now = self._clock()
        while self._seen and next(iter(self._seen.values())) < now - self._ttl:
            self._seen.popitem(last=False)
        if message_id in self._seen:
            return False
        self._seen[message_id] = now
        if len(self._seen) > self._max_size:
            self._seen.popitem(last=False)
        return True

    def forget(self, message_id: str) -> None:
        """Let a message whose processing failed be processed again when it is re-sent."""
        self._seen.pop(message_id, None)

    def __len__(self) -> int:
        return len(self._seen)


class SeenMessages(Protocol):
    """What the channels need from a record of message ids."""

    def add(self, message_id: str) -> bool:
        """Record ``message_id``; False if it was already recorded (a retry)."""

    def forget(self, message_id: str) -> None:
        """Let a message whose processing failed be processed again when it is re-sent."""


class SharedRecentIds:
    """Message ids in Redis (``SET key NX EX``), shared by every replica that uses that Redis.

    Rasa's own Redis lock store talks to Redis synchronously too; one ``SET`` on the loopback or a
    LAN takes well under a millisecond. When Redis cannot be reached, the ids are kept in the
    process (:class:`RecentIds`) and a warning is logged: a retry may then be answered twice, but
    no message is dropped.
    """

    def __init__(self, client: Any, prefix: str, ttl: int = 7 * 24 * 3600) -> None:
        self._client, self._prefix, self._ttl = client, prefix, ttl
        self._local = RecentIds(ttl=ttl)

    def _key(self, message_id: str) -> str:
        return f"{self._prefix}{message_id}"

    def add(self, message_id: str) -> bool:
        """Record ``message_id``; False if any replica already recorded it."""
        from redis.exceptions import RedisError

        try:
            return bool(self._client.set(self._key(message_id), 1, nx=True, ex=self._ttl))
        except RedisError as error:
            logger.warning("channel.dedupe.redis_unavailable error=%s; deduplicating in this process", error)
            return self._local.add(message_id)

    def forget(self, message_id: str) -> None:
        """Let a message whose processing failed be processed again when it is re-sent."""
        from redis.exceptions import RedisError

        self._local.forget(message_id)
        try:
            self._client.delete(self._key(message_id))
        except RedisError as error:
            logger.warning("channel.dedupe.redis_unavailable error=%s", error)


def recent_ids_from_settings(channel: str, settings: Settings) -> SeenMessages:
    """Redis-backed ids when the lock store is Redis (several replicas), else in this process."""
    if settings.lock_store_type != "redis":
        return RecentIds()
    import redis

    client = redis.Redis(
        host=settings.lock_store_host,
        port=settings.lock_store_port,
        db=settings.lock_store_db,
        socket_timeout=2,
        socket_connect_timeout=2,
    )
    return SharedRecentIds(client, prefix=f"storefront:{channel}:seen:")


class OptionsMemory:
    """The options last offered per conversation, for processes without a tracker store."""

    def __init__(self, max_size: int = 10_000):
        self._options: OrderedDict[str, List[Option]] = OrderedDict()
        self._max_size = max_size

    def remember(self, conversation_id: str, options: List[Option]) -> None:
        self._options[conversation_id] = list(options)
        self._options.move_to_end(conversation_id)
        if len(self._options) > self._max_size:
            self._options.popitem(last=False)

    def pop(self, conversation_id: str) -> List[Option]:
        return self._options.pop(conversation_id, [])


class ConversationFacts:
    """Facts about a conversation read from Rasa's tracker store.

    Args:
        tracker_store: returns the server's tracker store, or None when there is none.
        channel: the input channel name whose user messages count as the shopper writing.
        ledger: read opt-outs from the store's consent ledger.
    """

    def __init__(self, tracker_store: TrackerStoreSource, channel: str, *, ledger: bool = False):
        self._tracker_store = tracker_store
        self._channel = channel
        self._ledger = ledger
        self.memory = OptionsMemory()

    async def _events(self, conversation_id: str, *, all_sessions: bool = False) -> Optional[List[Any]]:
        store = self._tracker_store()
        if store is None:
            return None
        try:
            if all_sessions:
                tracker = await store.retrieve_full_tracker(conversation_id)
            else:
                tracker = await store.retrieve(conversation_id)
        except Exception:  # a broken tracker store must not take the channel down
            logger.exception("channel.tracker.unavailable conversation=%s", conversation_id)
            return None
        return list(tracker.events) if tracker is not None else []

    def _is_shopper_message(self, event: Any) -> bool:
        from rasa.shared.core.constants import IS_EXTERNAL
        from rasa.shared.core.events import UserUttered

        return (
            isinstance(event, UserUttered)
            and event.input_channel == self._channel
            and not (event.metadata or {}).get(IS_EXTERNAL)
        )

    async def last_inbound_at(self, conversation_id: str) -> Optional[float]:
        """When the shopper last wrote on this channel (Unix time), or None if never/unknown."""
        events = await self._events(conversation_id)
        for event in reversed(events or []):
            if self._is_shopper_message(event):
                return float(event.timestamp)
        return None

    async def opted_out(self, conversation_id: str) -> bool:
        """Whether the shopper withdrew consent on WhatsApp (STOP; the store's consent ledger).

        A ledger that cannot be read counts as opted out: no template goes out unchecked. A
        channel built without the ledger (unit tests of the channel alone) has no opt-outs.
        """
        from store.consent import Channel, Purpose, consent_state
        from store.contact import e164
        from store.runner import StoreUnavailable, configured_timeout, run_in_session

        phone = e164(conversation_id.rsplit(":", 1)[-1], None)
        if not self._ledger or phone is None:
            return False
        try:
            state = await run_in_session(
                consent_state, timeout=configured_timeout(), channel=Channel.WHATSAPP, address=phone,
                purpose=Purpose.MARKETING,
            )  # fmt: skip
        except StoreUnavailable:
            logger.exception("whatsapp.consent.unavailable conversation=%s", conversation_id)
            return True
        return state.withdrawn

    async def take_offered_options(self, conversation_id: str) -> List[Option]:
        """The options of the bot's latest message, if the shopper has not written since.

        Always clears the in-process memory, so an answer can only pick from the last offer.
        """
        remembered = self.memory.pop(conversation_id)
        events = await self._events(conversation_id)
        if events is None:
            return remembered
        from rasa.shared.core.events import BotUttered, UserUttered

        for event in reversed(events):
            if isinstance(event, UserUttered):
                return []
            if isinstance(event, BotUttered) and (event.data or {}).get("buttons"):
                return options_from_buttons(event.data["buttons"])
        return []


class OrderedDispatcher:
    """Runs message handlers in the background, one after another per conversation.

    Args:
        background: False awaits each handler in the request (errors reach the caller, so the
            webhook can answer 500 and the vendor retries); True returns at once.
    """

    def __init__(self, background: bool = True):
        self.background = background
        self._tails: Dict[str, asyncio.Task[None]] = {}
        self._pending: Set[asyncio.Task[None]] = set()

    async def submit(
        self, key: str, handler: Callable[[], Awaitable[None]], on_error: Callable[[], None]
    ) -> None:
        """Run ``handler`` after the conversation's earlier handlers; ``on_error`` if it fails."""
        if not self.background:
            try:
                await handler()
            except Exception:
                on_error()
                raise
            return
        previous = self._tails.get(key)
        task = asyncio.ensure_future(self._run_after(previous, handler, on_error))
        self._tails[key] = task
        self._pending.add(task)
        task.add_done_callback(lambda done: self._finished(key, done))

    @staticmethod
    async def _run_after(
        previous: Optional[asyncio.Task[None]],
        handler: Callable[[], Awaitable[None]],
        on_error: Callable[[], None],
    ) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])
        try:
            await handler()
        except Exception:
            on_error()
            logger.exception("channel.message.failed")

    def _finished(self, key: str, task: asyncio.Task[None]) -> None:
        self._pending.discard(task)
        if self._tails.get(key) is task:
            del self._tails[key]

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def drain(self, timeout: Optional[float] = None) -> None:
        """Wait for every pending handler (called when the server stops, so none is lost)."""
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=timeout)
