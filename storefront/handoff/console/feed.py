"""The console's live feed: what changed, pushed to every open console as server-sent events.

One :class:`LiveFeed` per console channel. The watcher (:mod:`.watch`) publishes to it; each open
``GET /api/events`` stream (:mod:`.stream`) holds a subscription, a bounded queue: a console that
stops reading loses its oldest events, never the server's memory, and it re-reads the state on
its next ``queue`` event anyway (each carries the whole open queue). Route handlers that changed
something call :func:`wake` so the watcher looks at once instead of at its next tick.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Optional, Set

from sanic.request import Request

QUEUE_SIZE = 100


def sse(event: str, data: Any) -> str:
    """One server-sent event (``event:`` and a one-line JSON ``data:``)."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


class LiveFeed:
    """Subscribers, and a wake-up call for the watcher."""

    def __init__(self) -> None:
        self._subscribers: Set[asyncio.Queue] = set()
        self._wake: Optional[asyncio.Event] = None

    @property
    def wake_event(self) -> asyncio.Event:
        """The event the watcher waits on between ticks (made on the server's own loop)."""
        if self._wake is None:
            self._wake = asyncio.Event()
        return self._wake

    @property
    def listening(self) -> int:
        """How many consoles are connected."""
        return len(self._subscribers)

    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self._subscribers.discard(queue)

    def publish(self, event: str, data: Any) -> None:
        """Send ``event`` to every subscriber (a full queue drops its oldest event)."""
        message = sse(event, data)
        for queue in list(self._subscribers):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(message)

    def wake(self) -> None:
        """Ask the watcher to look now (after a change made in this process)."""
        self.wake_event.set()


def feed_of(request: Request) -> LiveFeed:
    """The live feed of the console whose route serves ``request``."""
    if request.route is None:
        raise RuntimeError("console handlers serve only the console's own routes")
    feed: LiveFeed = request.route.ctx.feed
    return feed


def wake(request: Request) -> None:
    """Tell the console's watcher that this request changed something."""
    feed_of(request).wake()
