"""What an agent does to a handed-off conversation: claim it, reply, hand back, resolve.

Only the agent who claimed a conversation may write to it or close it (409 otherwise). Closing
marks the handoff resolved, then gives the conversation back to the assistant on the shopper's
channel (see :meth:`ConversationDesk.resume`), whether or not the closing notice can be delivered.
"""

from __future__ import annotations

from rasa.shared.core.trackers import DialogueStateTracker
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from store.handoff_claims import touch_claim
from store.handoffs import HandoffView, add_handoff_message, claim_handoff, get_handoff, resolve_handoff
from storefront.handoff.console.auth import AgentIdentity, requires_agent
from storefront.handoff.console.claims import notify
from storefront.handoff.console.feed import wake
from storefront.handoff.console.queue import desk
from storefront.handoff.console.responses import ConsoleError, json_errors, json_object
from storefront.handoff.console.runner import run_store
from storefront.handoff.conversation import DeliveryFailed, messages_since_pause
from storefront.handoff.satisfaction import offer_rating
from storefront.handoff.views import queue_item

MAX_REPLY_CHARS = 2000


async def sync_shopper_messages(handoff: HandoffView, tracker: DialogueStateTracker) -> None:
    """Copy what the shopper wrote while waiting into the handoff record, in order."""
    stored = sum(1 for m in handoff.messages if m.sender == "shopper")
    for said in messages_since_pause(tracker)[stored:]:
        await run_store(add_handoff_message, handoff_id=handoff.id, sender="shopper", text=said.text or "")


async def owned(agent: AgentIdentity, handoff_id: int) -> HandoffView:
    """The handoff, if ``agent`` holds the claim on it (404 or 409 otherwise)."""
    handoff = await run_store(get_handoff, handoff_id=handoff_id)
    if handoff is None:
        raise ConsoleError(404, f"no handoff {handoff_id}")
    if handoff.status != "claimed" or handoff.claimed_by != agent.name:
        raise ConsoleError(
            409, "claim this conversation first", status=handoff.status, claimed_by=handoff.claimed_by
        )
    return handoff


@json_errors
@requires_agent(write=True)
async def claim(request: Request, agent: AgentIdentity, handoff_id: int) -> HTTPResponse:
    """Take a queued conversation (409 when someone else has it) and tell the shopper."""
    won = await run_store(claim_handoff, handoff_id=handoff_id, agent=agent.name)
    handoff = await run_store(get_handoff, handoff_id=handoff_id)
    if handoff is None:
        raise ConsoleError(404, f"no handoff {handoff_id}")
    if not won:
        raise ConsoleError(409, f"handoff {handoff_id} is {handoff.status}", claimed_by=handoff.claimed_by)
    conversations = desk(request)
    await sync_shopper_messages(handoff, await conversations.tracker(handoff.conversation_id))
    delivered = await notify(conversations, handoff, "utter_handoff_agent_joined", "agent_joined", agent.name)
    wake(request)
    return response.json({"claimed": True, "delivered": delivered, "handoff": queue_item(handoff)})


@json_errors
@requires_agent(write=True)
async def reply(request: Request, agent: AgentIdentity, handoff_id: int) -> HTTPResponse:
    """Send ``{"text": ...}`` to the shopper; 409 with the channel's reason when it refuses."""
    handoff = await owned(agent, handoff_id)
    text = json_object(request).get("text")
    text = text.strip() if isinstance(text, str) else ""
    if not text or len(text) > MAX_REPLY_CHARS:
        raise ConsoleError(400, f"text must be 1 to {MAX_REPLY_CHARS} characters")
    conversations = desk(request)
    await sync_shopper_messages(handoff, await conversations.tracker(handoff.conversation_id))
    try:
        delivered = await conversations.say(
            handoff.conversation_id,
            {"text": text},
            {"handoff": "agent_message", "agent": agent.name},
            require_delivery=True,
        )
    except DeliveryFailed as failed:
        raise ConsoleError(409, f"Not sent: {failed}", channel=handoff.channel) from failed
    await run_store(add_handoff_message, handoff_id=handoff_id, sender=f"agent:{agent.name}", text=text)
    await run_store(touch_claim, handoff_id=handoff_id, agent=agent.name)
    wake(request)
    return response.json({"delivered": delivered, "channel": handoff.channel})


async def _finish(
    request: Request,
    agent: AgentIdentity,
    handoff_id: int,
    utterance: str,
    marker: str,
    *,
    rate: bool = False,
) -> HTTPResponse:
    handoff = await owned(agent, handoff_id)
    conversations = desk(request)
    tracker = await conversations.tracker(handoff.conversation_id)
    await sync_shopper_messages(handoff, tracker)
    if not await run_store(resolve_handoff, handoff_id=handoff_id, agent=agent.name):
        raise ConsoleError(409, f"handoff {handoff_id} is already resolved")
    message = await conversations.render(utterance, tracker, agent=agent.name)
    delivered = await conversations.resume(
        handoff.conversation_id, message, {"handoff": marker, "agent": agent.name}
    )
    wake(request)
    rating_asked = rate and await offer_rating(conversations, handoff.conversation_id)
    return response.json({"status": "resolved", "delivered": delivered, "rating_asked": rating_asked})


@json_errors
@requires_agent(write=True)
async def handback(request: Request, agent: AgentIdentity, handoff_id: int) -> HTTPResponse:
    """Give the conversation back to the assistant, which offers more help."""
    return await _finish(request, agent, handoff_id, "utter_handoff_bot_back", "bot_resumed")


@json_errors
@requires_agent(write=True)
async def resolve(request: Request, agent: AgentIdentity, handoff_id: int) -> HTTPResponse:
    """Close the chat and ask for a rating; the assistant answers the shopper's next message."""
    return await _finish(request, agent, handoff_id, "utter_handoff_resolved", "resolved", rate=True)
