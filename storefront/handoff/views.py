"""JSON shapes of the console API, and the store calls it makes (off the event loop)."""

from __future__ import annotations

import asyncio
import functools
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Optional, TypeVar

from store.db import session_scope
from store.handoffs import HandoffView

T = TypeVar("T")


def _in_session(function: Callable[..., T], kwargs: Dict[str, Any]) -> T:
    with session_scope() as session:
        return function(session, **kwargs)


async def run_store(function: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a synchronous store function in its own session, in a worker thread."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(_in_session, function, kwargs))


def _iso(value: Optional[datetime]) -> Optional[str]:
    return value.isoformat() if value is not None else None


def waited_seconds(handoff: HandoffView, now: datetime) -> int:
    """How long the shopper waited (until claimed, or until now while queued)."""
    end = handoff.claimed_at or handoff.resolved_at or now
    return max(0, int((end - handoff.created_at).total_seconds()))


def queue_item(handoff: HandoffView, now: Optional[datetime] = None) -> Dict[str, Any]:
    """One row of the queue."""
    now = now or datetime.now(timezone.utc)
    shopper = (handoff.context or {}).get("shopper") or {}
    return {
        "id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "channel": handoff.channel,
        "status": handoff.status,
        "offline": handoff.offline,
        "reason": handoff.reason,
        "summary": handoff.summary,
        "claimed_by": handoff.claimed_by,
        "created_at": _iso(handoff.created_at),
        "claimed_at": _iso(handoff.claimed_at),
        "resolved_at": _iso(handoff.resolved_at),
        "wait_seconds": waited_seconds(handoff, now),
        "shopper": {
            "name": shopper.get("name"), "email": shopper.get("email"), "phone": shopper.get("phone"),
            "verified": bool(shopper.get("verified")),
        },
    }  # fmt: skip


def handoff_detail(handoff: HandoffView, now: Optional[datetime] = None) -> Dict[str, Any]:
    """A queue row plus the full context and the handoff's own message log."""
    item = queue_item(handoff, now)
    item["context"] = handoff.context
    item["messages"] = [{"sender": m.sender, "text": m.text, "at": _iso(m.at)} for m in handoff.messages]
    return item
