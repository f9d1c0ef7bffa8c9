"""Canned replies, managed in the console and filled in for a conversation.

* ``GET /api/canned``: every reply with the placeholders it uses, and the placeholders allowed;
* ``POST /api/canned`` ``{"title", "body"}`` creates one (201); ``PUT /api/canned/<id>`` changes
  it; ``DELETE /api/canned/<id>`` removes it (any signed-in agent: the team shares them);
* ``GET /api/handoffs/<id>/canned/<reply_id>``: the reply filled for this shopper
  (``{first_name}``, ``{order_number}`` from the handoff's context, ``{agent_name}``), for the
  agent to read, edit and send as their own message; 409 when the conversation lacks a value.

Bad titles, bodies or placeholders are a 400 with the reason (:mod:`store.canned_replies`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Dict

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from store.canned_replies import (
    PLACEHOLDERS,
    CannedReplyError,
    CannedReplyView,
    delete_canned_reply,
    fill,
    get_canned_reply,
    list_canned_replies,
    placeholder_values,
    save_canned_reply,
)
from store.handoffs import get_handoff
from storefront.handoff.console.auth import AgentIdentity, requires_agent
from storefront.handoff.console.responses import NO_STORE, ConsoleError, json_errors, json_object
from storefront.handoff.console.runner import run_store


def _shown(reply: CannedReplyView) -> Dict[str, Any]:
    shown = asdict(reply)
    shown["updated_at"] = reply.updated_at.isoformat()
    return shown


def _text(body: Dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise ConsoleError(400, f"{key} must be a string")
    return value


@json_errors
@requires_agent()
async def list_replies(request: Request, agent: AgentIdentity) -> HTTPResponse:
    """Every canned reply, by title."""
    replies = await run_store(list_canned_replies)
    return response.json(
        {"replies": [_shown(r) for r in replies], "placeholders": list(PLACEHOLDERS)}, headers=NO_STORE
    )


async def _save(request: Request, agent: AgentIdentity, reply_id: Any = None) -> HTTPResponse:
    body = json_object(request)
    try:
        saved = await run_store(
            save_canned_reply,
            title=_text(body, "title"), body=_text(body, "body"), agent=agent.name, reply_id=reply_id,
        )  # fmt: skip
    except CannedReplyError as refused:
        raise ConsoleError(400, str(refused)) from None
    if saved is None:
        raise ConsoleError(404, f"no canned reply {reply_id}")
    return response.json(_shown(saved), status=201 if reply_id is None else 200)


@json_errors
@requires_agent(write=True)
async def create_reply(request: Request, agent: AgentIdentity) -> HTTPResponse:
    """Create a canned reply."""
    return await _save(request, agent)


@json_errors
@requires_agent(write=True)
async def update_reply(request: Request, agent: AgentIdentity, reply_id: int) -> HTTPResponse:
    """Change a canned reply's title and body."""
    return await _save(request, agent, reply_id)


@json_errors
@requires_agent(write=True)
async def delete_reply(request: Request, agent: AgentIdentity, reply_id: int) -> HTTPResponse:
    """Delete a canned reply."""
    if not await run_store(delete_canned_reply, reply_id=reply_id):
        raise ConsoleError(404, f"no canned reply {reply_id}")
    return response.json({"deleted": reply_id})


@json_errors
@requires_agent()
async def filled_reply(
    request: Request, agent: AgentIdentity, handoff_id: int, reply_id: int
) -> HTTPResponse:
    """The canned reply with this conversation's values in its placeholders."""
    handoff = await run_store(get_handoff, handoff_id=handoff_id)
    if handoff is None:
        raise ConsoleError(404, f"no handoff {handoff_id}")
    reply = await run_store(get_canned_reply, reply_id=reply_id)
    if reply is None:
        raise ConsoleError(404, f"no canned reply {reply_id}")
    values = placeholder_values(handoff.context, agent.name)
    try:
        text = fill(reply.body, values)
    except CannedReplyError as refused:
        raise ConsoleError(409, str(refused), placeholders=list(reply.placeholders)) from None
    return response.json({"text": text, "title": reply.title}, headers=NO_STORE)
