"""The console's watcher: notices what changed and pushes it to the open consoles.

Handoffs are created by the action server (another process), and with several Rasa replicas a
conversation's messages and an agent's actions can land on any of them, so the one place that
sees every change is the store and the tracker store. One task per server looks there every
``AGENT_CONSOLE_WATCH_SECONDS`` (at once when a route of this process changed something) and
publishes to :class:`~.feed.LiveFeed`:

* ``queue`` ``{"handoffs": [...]}``: the open queue, whenever a handoff appears, is claimed,
  transferred, released or closed;
* ``changed`` ``{"ids": [...]}``: handoffs whose conversation has news (a shopper's message, an
  agent's reply, a note), so a console showing one re-reads it.

It also releases console claims whose agent left (signed out, or the shopper waited
``AGENT_CLAIM_IDLE_MINUTES`` for them), telling the shopper; claims of the API clients and of a
helpdesk's agents are left to them. Browsers never poll: one query
per tick serves every console connected to this server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Dict, List, Optional, Tuple

from store.handoff_claims import stale_claims
from store.handoff_notes import latest_note_ids
from store.handoffs import HandoffView, list_handoffs
from store.runner import StoreUnavailable
from storefront.handoff.console.claims import release_to_queue
from storefront.handoff.console.config import ConsoleConfig
from storefront.handoff.console.conversations import sync_shopper_messages
from storefront.handoff.console.feed import LiveFeed
from storefront.handoff.console.runner import run_store
from storefront.handoff.conversation import ConversationDesk
from storefront.handoff.views import queue_item

logger = logging.getLogger(__name__)


def _open(handoffs: List[HandoffView]) -> List[HandoffView]:
    return [h for h in handoffs if h.status != "resolved"]


class Watcher:
    """The loop behind one console's live feed (started with the server, stopped with it)."""

    def __init__(self, feed: LiveFeed, config: ConsoleConfig) -> None:
        self.feed, self.config = feed, config
        self._queue: Optional[List[Tuple[Any, ...]]] = None
        self._seen: Dict[int, Tuple[Any, ...]] = {}
        self._task: Optional[asyncio.Task] = None

    def start(self, app: Any) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(app))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self, app: Any) -> None:
        wake = self.feed.wake_event
        while True:
            agent = getattr(app.ctx, "agent", None)
            if agent is not None and agent.is_ready():
                desk = ConversationDesk(agent, getattr(app.ctx, "input_channels", []) or [])
                try:
                    await self.tick(desk)
                except StoreUnavailable as error:
                    logger.warning("console.watch store unavailable: %s", error)
                except Exception:  # the feed must outlive any one bad tick
                    logger.exception("console.watch tick failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(wake.wait(), self.config.watch_every)
            wake.clear()

    async def tick(self, desk: ConversationDesk) -> None:
        """Release abandoned claims, then publish what changed since the previous tick."""
        for stale in await run_store(
            stale_claims,
            idle=self.config.claim_idle,
            policy=self.config.sessions,
        ):
            await release_to_queue(desk, stale.handoff, stale.handoff.claimed_by or "", stale.why)
        handoffs = _open(await run_store(list_handoffs))
        digest = [(h.id, h.status, h.claimed_by, h.offline) for h in handoffs]
        if digest != self._queue:
            self._queue = digest
            self.feed.publish("queue", {"handoffs": [queue_item(h) for h in handoffs]})
        await self._conversations(desk, handoffs)

    async def _conversations(self, desk: ConversationDesk, handoffs: List[HandoffView]) -> None:
        notes = await run_store(latest_note_ids, handoff_ids=[h.id for h in handoffs])
        changed: List[int] = []
        seen: Dict[int, Tuple[Any, ...]] = {}
        # with no console open, only claimed conversations matter (their idle clock)
        watched = handoffs if self.feed.listening else [h for h in handoffs if h.status == "claimed"]
        for handoff in watched:
            tracker = await desk.tracker(handoff.conversation_id)
            latest = tracker.events[-1].timestamp if tracker.events else None
            if handoff.status == "claimed":
                await sync_shopper_messages(handoff, tracker)
            seen[handoff.id] = (latest, len(handoff.messages), notes.get(handoff.id))
            if handoff.id in self._seen and self._seen[handoff.id] != seen[handoff.id]:
                changed.append(handoff.id)
        self._seen = seen
        if changed:
            self.feed.publish("changed", {"ids": changed})
