"""``GET /api/events``: the console's live feed as server-sent events (``text/event-stream``).

The stream opens with ``hello`` ``{"agent": ...}`` and the open ``queue`` as it is now, then
carries the watcher's ``queue`` and ``changed`` events (:mod:`.watch`). Every ``HEARTBEAT_SECONDS`` without
news it re-checks the agent's session (which keeps an open console's session alive, as a
request would) and sends a comment line; when the session has ended it sends ``signed_out`` and
closes. The browser's ``EventSource`` reconnects by itself after a network failure.
"""

from __future__ import annotations

import asyncio

from sanic.request import Request
from sanic.response import HTTPResponse

from store.handoffs import list_handoffs
from storefront.handoff.console.auth import AgentIdentity, authenticate, requires_agent
from storefront.handoff.console.feed import feed_of, sse
from storefront.handoff.console.responses import NO_STORE, json_errors
from storefront.handoff.console.runner import run_store
from storefront.handoff.views import queue_item

HEARTBEAT_SECONDS = 15.0


@json_errors
@requires_agent()
async def events(request: Request, agent: AgentIdentity) -> HTTPResponse:
    """Stream the console's events to this agent until they sign out or go away."""
    feed = feed_of(request)
    subscription = feed.subscribe()
    try:
        stream = await request.respond(
            content_type="text/event-stream; charset=utf-8", headers={**NO_STORE, "X-Accel-Buffering": "no"}
        )
        await stream.send(sse("hello", {"agent": agent.name}))
        handoffs = await run_store(list_handoffs)
        await stream.send(
            sse("queue", {"handoffs": [queue_item(h) for h in handoffs if h.status != "resolved"]})
        )
        while True:
            try:
                message = await asyncio.wait_for(subscription.get(), HEARTBEAT_SECONDS)
            except asyncio.TimeoutError:
                if agent.via_cookie and await authenticate(request) is None:
                    await stream.send(sse("signed_out", {}))
                    break
                message = ": still here\n\n"
            await stream.send(message)
        await stream.eof()
    finally:
        feed.unsubscribe(subscription)
    # the answer went out through request.respond(); Sanic expects None from such a handler
    return None  # type: ignore[return-value]
