"""``POST /api/handoffs/<id>/notes`` ``{"text": ...}``: a private note for the team.

Any signed-in agent may add one (a colleague or a lead can leave a hint on someone else's
conversation). Notes are stored apart from the conversation (:mod:`store.handoff_notes`) and
this route never touches the shopper's channel or tracker; they come back only in the console's
detail (``notes``) and in history search.
"""

from __future__ import annotations

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from store.handoff_claims import touch_claim
from store.handoff_notes import MAX_NOTE, add_note
from storefront.handoff.console.auth import AgentIdentity, requires_agent
from storefront.handoff.console.feed import feed_of
from storefront.handoff.console.responses import ConsoleError, json_errors, json_object
from storefront.handoff.console.runner import run_store


@json_errors
@requires_agent(write=True)
async def add(request: Request, agent: AgentIdentity, handoff_id: int) -> HTTPResponse:
    """Add a private note (201), 404 for an unknown handoff, 400 for empty or long text."""
    text = json_object(request).get("text")
    text = text.strip() if isinstance(text, str) else ""
    if not text or len(text) > MAX_NOTE:
        raise ConsoleError(400, f"text must be 1 to {MAX_NOTE} characters")
    try:
        note = await run_store(add_note, handoff_id=handoff_id, agent=agent.name, text=text)
    except LookupError:
        raise ConsoleError(404, f"no handoff {handoff_id}") from None
    await run_store(touch_claim, handoff_id=handoff_id, agent=agent.name)
    feed_of(request).publish("changed", {"ids": [handoff_id]})
    return response.json(
        {"id": note.id, "agent": note.agent, "text": note.text, "at": note.at.isoformat()}, status=201
    )
