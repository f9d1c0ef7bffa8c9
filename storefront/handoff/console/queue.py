"""Reading the console's data: who am I, the queue, and one handoff with its live transcript."""

from __future__ import annotations

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from store.handoff_notes import notes_for
from store.handoffs import get_handoff, list_handoffs
from storefront.handoff.console.auth import AgentIdentity, requires_agent
from storefront.handoff.console.responses import NO_STORE, ConsoleError, json_errors
from storefront.handoff.console.runner import run_store
from storefront.handoff.conversation import ConversationDesk, transcript
from storefront.handoff.views import handoff_detail, queue_item

QUEUE_FILTERS = ("open", "all", "queued", "claimed", "resolved")


def desk(request: Request) -> ConversationDesk:
    """The running Rasa agent and its input channels, as the console uses them."""
    return ConversationDesk(request.app.ctx.agent, getattr(request.app.ctx, "input_channels", []) or [])


@json_errors
@requires_agent()
async def me(request: Request, agent: AgentIdentity) -> HTTPResponse:
    """The signed-in agent's name."""
    return response.json({"agent": agent.name}, headers=NO_STORE)


@json_errors
@requires_agent()
async def queue(request: Request, agent: AgentIdentity) -> HTTPResponse:
    """``?status=open`` (default: queued and claimed), ``all``, ``queued``, ``claimed`` or ``resolved``."""
    wanted = request.args.get("status", "open")
    if wanted not in QUEUE_FILTERS:
        raise ConsoleError(400, f"status must be {', '.join(QUEUE_FILTERS[:-1])} or {QUEUE_FILTERS[-1]}")
    status = None if wanted in ("open", "all") else wanted
    handoffs = await run_store(list_handoffs, status=status)
    if wanted == "open":
        handoffs = [h for h in handoffs if h.status != "resolved"]
    return response.json({"handoffs": [queue_item(h) for h in handoffs]}, headers=NO_STORE)


@json_errors
@requires_agent()
async def detail(request: Request, agent: AgentIdentity, handoff_id: int) -> HTTPResponse:
    """Context, the handoff's message log, the live transcript, whether the bot is paused, and the
    team's private notes (``notes``: for agents only, never part of the transcript)."""
    handoff = await run_store(get_handoff, handoff_id=handoff_id)
    if handoff is None:
        raise ConsoleError(404, f"no handoff {handoff_id}")
    tracker = await desk(request).tracker(handoff.conversation_id)
    body = handoff_detail(handoff)
    body["transcript"] = transcript(tracker)
    body["paused"] = tracker.is_paused()
    body["notes"] = [
        {"id": n.id, "agent": n.agent, "text": n.text, "at": n.at.isoformat()}
        for n in await run_store(notes_for, handoff_id=handoff_id)
    ]
    return response.json(body, headers=NO_STORE)
