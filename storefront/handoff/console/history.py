"""``GET /api/history?q=<words>&status=all|queued|claimed|resolved&limit=50``: past conversations.

Newest first, each with its handoff reason, summary, who handled and closed it, and when; ``q``
matches every word anywhere in the handoff (shopper, orders, messages, notes: see
:func:`store.handoff_history.search_handoffs`). Opening one uses ``GET /api/handoffs/<id>``,
which shows the whole transcript of a closed conversation as of an open one.

Shoppers' ratings are not shown: the store keeps no rating table yet (when one is added, its
score belongs in :func:`history_item`).
"""

from __future__ import annotations

from typing import Any, Dict

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from store.codes import HandoffStatus
from store.handoff_history import MAX_QUERY, MAX_RESULTS, search_handoffs
from store.handoffs import HandoffView
from storefront.handoff.console.auth import AgentIdentity, requires_agent
from storefront.handoff.console.responses import NO_STORE, ConsoleError, json_errors
from storefront.handoff.console.runner import run_store
from storefront.handoff.views import queue_item

STATUSES = ("all", *(s.value for s in HandoffStatus))


def history_item(handoff: HandoffView) -> Dict[str, Any]:
    """A queue row plus who closed it and how many messages it had."""
    item = queue_item(handoff)
    item["resolved_by"] = handoff.resolved_by
    item["messages"] = len(handoff.messages)
    return item


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
    found = await run_store(
        search_handoffs,
        query=query,
        status=None if status == "all" else HandoffStatus(status),
        limit=int(raw_limit),
    )
    return response.json({"handoffs": [history_item(h) for h in found]}, headers=NO_STORE)
