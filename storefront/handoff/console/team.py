"""Passing a conversation on: who is signed in, transfer to a named agent, release to the queue.

``GET /api/agents`` lists the agents with a live console session (the transfer menu);
``POST /api/handoffs/<id>/transfer`` ``{"to": "<name>"}`` hands the claim to one of them, and
``{"to": null}`` (or ``POST .../release``) puts the conversation back in the queue. Only the
claiming agent may do either (409 otherwise); the shopper is told in both cases.
"""

from __future__ import annotations

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from store.agent_sessions import signed_in_agents
from store.handoff_claims import transfer_handoff
from storefront.handoff.console.auth import AgentIdentity, clean_agent_name, requires_agent
from storefront.handoff.console.claims import notify, release_to_queue
from storefront.handoff.console.config import config_of
from storefront.handoff.console.conversations import owned
from storefront.handoff.console.feed import wake
from storefront.handoff.console.queue import desk
from storefront.handoff.console.responses import NO_STORE, ConsoleError, json_errors, json_object
from storefront.handoff.console.runner import run_store


@json_errors
@requires_agent()
async def agents(request: Request, agent: AgentIdentity) -> HTTPResponse:
    """The agents signed in to the console now, by name (the caller included)."""
    names = await run_store(signed_in_agents, policy=config_of(request).sessions)
    return response.json({"agents": names, "me": agent.name}, headers=NO_STORE)


async def _release(request: Request, agent: AgentIdentity, handoff_id: int) -> HTTPResponse:
    handoff = await owned(agent, handoff_id)
    if not await release_to_queue(desk(request), handoff, agent.name, "released"):
        raise ConsoleError(409, f"handoff {handoff_id} is no longer yours")
    wake(request)
    return response.json({"status": "queued"})


@json_errors
@requires_agent(write=True)
async def release(request: Request, agent: AgentIdentity, handoff_id: int) -> HTTPResponse:
    """Put the conversation back in the queue for the next agent; the shopper is told."""
    return await _release(request, agent, handoff_id)


@json_errors
@requires_agent(write=True)
async def transfer(request: Request, agent: AgentIdentity, handoff_id: int) -> HTTPResponse:
    """``{"to": "<signed-in agent>"}`` passes the claim on; ``{"to": null}`` releases it."""
    body = json_object(request)
    if "to" not in body:
        raise ConsoleError(400, 'send {"to": "<agent name>"}, or {"to": null} for the queue')
    if body["to"] is None:
        return await _release(request, agent, handoff_id)
    wanted = clean_agent_name(body["to"]) if isinstance(body["to"], str) else ""
    if not wanted:
        raise ConsoleError(400, "to must be an agent's name or null")
    present = await run_store(signed_in_agents, policy=config_of(request).sessions)
    target = next((name for name in present if name.casefold() == wanted.casefold()), None)
    if target is None:
        raise ConsoleError(409, f"{wanted} is not signed in to the console", agents=present)
    if target.casefold() == agent.name.casefold():
        raise ConsoleError(400, "this conversation is already yours")
    handoff = await owned(agent, handoff_id)
    if not await run_store(transfer_handoff, handoff_id=handoff_id, agent=agent.name, to_agent=target):
        raise ConsoleError(409, f"handoff {handoff_id} is no longer yours")
    await notify(
        desk(request), handoff, "utter_handoff_transferred", "transferred", agent.name, next_agent=target
    )
    wake(request)
    return response.json({"status": "claimed", "claimed_by": target})
