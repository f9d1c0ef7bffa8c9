"""``GET /api/history?q=<words>&status=all|queued|claimed|resolved&limit=50``: past conversations.

Newest first, each with its handoff reason, summary, who handled and closed it, and when; ``q``
matches every word anywhere in the handoff (shopper, orders, messages, notes: see
:func:`store.handoff_history.search_handoffs`). Opening one uses ``GET /api/handoffs/<id>``,
which shows the whole transcript of a closed conversation as of an open one.

Each row carries the shopper's rating of that conversation when they gave one: the first rated
session that ended after the handoff began (ratings live in the tracker store, see
:mod:`store.insights.conversations`).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from store.codes import HandoffStatus
from store.handoff_history import MAX_QUERY, MAX_RESULTS, search_handoffs
from store.handoffs import HandoffView
from store.insights.conversations import Conversation
from store.insights.source import read_ratings
from storefront.handoff.console.auth import AgentIdentity, requires_agent
from storefront.handoff.console.responses import NO_STORE, ConsoleError, json_errors
from storefront.handoff.console.runner import run_store
from storefront.handoff.views import queue_item

STATUSES = ("all", *(s.value for s in HandoffStatus))


def rating_of(handoff: HandoffView, rated: Sequence[Conversation]) -> Optional[Conversation]:
    """The shopper's rating of this handoff: the first rated session that ended after it began."""
    return next((c for c in rated if c.ended_at >= handoff.created_at), None)


def history_item(handoff: HandoffView, rating: Optional[Conversation] = None) -> Dict[str, Any]:
    """A queue row plus who closed it, how many messages it had and the shopper's rating."""
    item = queue_item(handoff)
    item["resolved_by"] = handoff.resolved_by
    item["messages"] = len(handoff.messages)
    item["rating"] = rating.rating if rating else None
    item["rating_comment"] = rating.comment if rating else None
    return item


def _search(
    session: Session, *, query: str, status: Optional[HandoffStatus], limit: int
) -> Tuple[List[HandoffView], Dict[str, List[Conversation]]]:
    found = search_handoffs(session, query=query, status=status, limit=limit)
    return found, read_ratings([h.conversation_id for h in found])


@json_errors
@requires_agent()
async def history(request: Request, agent: AgentIdentity) -> HTTPResponse:
    """Search the handoffs (400 for a bad status, limit or an overlong query)."""
    query = request.args.get("q", "")
    if len(query) > MAX_QUERY:
        raise ConsoleError(400, f"q is at most {MAX_QUERY} characters")
    status = request.args.get("status", "all")
    if status not in STATUSES:
        raise ConsoleError(400, f"status must be one of {', '.join(STATUSES)}")
    raw_limit = request.args.get("limit", "50")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_RESULTS:
        raise ConsoleError(400, f"limit must be a whole number from 1 to {MAX_RESULTS}")
    found, rated = await run_store(
        _search,
        query=query,
        status=None if status == "all" else HandoffStatus(status),
        limit=int(raw_limit),
    )
    items = [history_item(h, rating_of(h, rated.get(h.conversation_id, []))) for h in found]
    return response.json({"handoffs": items}, headers=NO_STORE)
