"""JSON shapes of the console API, and the store calls it makes (off the event loop)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Dict, Optional, TypeVar

from store.handoffs import HandoffView
from store.runner import configured_timeout, run_in_session

T = TypeVar("T")


async def run_store(function: Callable[..., T], /, **kwargs: Any) -> T:
    """The console's store call: :func:`store.runner.run_in_session` with the configured limit.

    Raises:
        store.runner.StoreUnavailable: the store failed or was too slow; nothing was written.
    """
    return await run_in_session(function, timeout=configured_timeout(), **kwargs)


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
