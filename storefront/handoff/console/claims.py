"""Telling the shopper about the console's changes, and putting a conversation back in the queue.

Shared by the routes (claim, transfer, release), sign-out and the watcher (a claim whose agent
left). Every notice is a ``domain.yml`` response rendered for the shopper's channel, sent as the
assistant's voice, and logged in the handoff's message log; a channel that cannot take it does
not stop the change (the state must move even when the notice cannot be delivered).
"""

from __future__ import annotations

import logging
from typing import Any

from store.handoff_claims import release_handoff
from store.handoffs import HandoffView, add_handoff_message
from storefront.handoff.console.runner import run_store
from storefront.handoff.conversation import ConversationDesk

logger = logging.getLogger(__name__)


async def notify(
    desk: ConversationDesk, handoff: HandoffView, response: str, marker: str, agent: str, **values: Any
) -> bool:
    """Send ``response`` to the shopper of ``handoff`` and log it; whether a channel pushed it."""
    tracker = await desk.tracker(handoff.conversation_id)
    notice = await desk.render(response, tracker, agent=agent, **values)
    delivered = await desk.say(handoff.conversation_id, notice, {"handoff": marker, "agent": agent})
    await run_store(add_handoff_message, handoff_id=handoff.id, sender="bot", text=notice.get("text", ""))
    return delivered


async def release_to_queue(desk: ConversationDesk, handoff: HandoffView, agent: str, why: str) -> bool:
    """Give ``agent``'s claim back to the queue and tell the shopper; False when ``agent`` had lost it.

    The conversation stays paused: the shopper waits for the next person, who sees everything.
    """
    if not await run_store(release_handoff, handoff_id=handoff.id, agent=agent):
        return False
    logger.info("console.claim_released handoff=%s agent=%s why=%s", handoff.id, agent, why)
    await notify(desk, handoff, "utter_handoff_agent_left", "agent_left", agent)
    return True
