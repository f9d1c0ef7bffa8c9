"""The background worker that forwards queued handoffs to Chatwoot, with retries and backoff.

The handoff action only writes the handoff and its forward row (:mod:`store.helpdesk`); this
worker, started by the Chatwoot channel inside the Rasa server
(:mod:`storefront.channels.chatwoot`), sends due rows every :data:`POLL_SECONDS`. A failure keeps
what succeeded (the contact, the conversation), schedules the next attempt and is logged for the
team (``helpdesk.forward.retry``, then ``helpdesk.forward.gave_up`` at ERROR after the last
attempt, listed by ``python -m store helpdesk``); the shopper never hears of it. With several
Rasa processes each runs a worker: a claimed row is leased to one of them.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import datetime
from typing import Any, Optional

from integrations.chatwoot import ChatwootConfig, ForwardState, HelpdeskError, forward_to_chatwoot
from store.helpdesk import (
    ForwardView,
    claim_due_forwards,
    forward_context,
    forward_delivered,
    forward_failed,
    record_forward_progress,
)  # fmt: skip
from store.runner import StoreUnavailable, configured_timeout, run_in_session

logger = logging.getLogger(__name__)

POLL_SECONDS = 5.0
BATCH = 10


async def _store(function: Any, **kwargs: Any) -> Any:
    return await run_in_session(function, timeout=configured_timeout(), **kwargs)


async def forward_one(config: ChatwootConfig, job: ForwardView, *, now: Optional[datetime] = None) -> str:
    """Try one claimed forward; its new status (``delivered``, ``pending`` to retry, ``failed``)."""
    _, handoff = await _store(forward_context, forward_id=job.id)
    if handoff is None:  # the handoff was deleted: its forward row goes with it
        return "failed"
    state = ForwardState(job.contact_id, job.source_id, job.helpdesk_conversation_id, job.note_sent)

    async def progress(**steps: Any) -> None:
        await _store(record_forward_progress, forward_id=job.id, **steps)

    try:
        helpdesk_id = await forward_to_chatwoot(
            config, conversation_id=handoff.conversation_id, handoff_id=handoff.id,
            context=handoff.context, state=state, progress=progress,
        )  # fmt: skip
    except HelpdeskError as error:
        after = await _store(forward_failed, forward_id=job.id, error=str(error), now=now)
        if after.status == "failed":
            logger.error(
                "helpdesk.forward.gave_up handoff=%s attempts=%s error=%s (the handoff is in the console; "
                "python -m store helpdesk --retry %s sends it again)",
                handoff.id, after.attempts, error, after.id,
            )  # fmt: skip
        else:
            logger.warning(
                "helpdesk.forward.retry handoff=%s attempt=%s next=%s error=%s",
                handoff.id, after.attempts, after.next_attempt_at.isoformat(), error,
            )  # fmt: skip
        return after.status
    await _store(forward_delivered, forward_id=job.id, now=now)
    logger.info("helpdesk.forward.delivered handoff=%s chatwoot_conversation=%s", handoff.id, helpdesk_id)
    return "delivered"


async def forward_due(config: ChatwootConfig, *, now: Optional[datetime] = None) -> Counter:
    """Claim the due forwards and try each once; how many ended in each status."""
    jobs = await _store(claim_due_forwards, now=now, limit=BATCH)
    return Counter([await forward_one(config, job, now=now) for job in jobs])


async def run_forever(config: ChatwootConfig, *, poll_seconds: float = POLL_SECONDS) -> None:
    """Forward due handoffs until cancelled; a store outage is logged and waited out."""
    while True:
        try:
            await forward_due(config)
        except StoreUnavailable as error:
            logger.warning("helpdesk.forward.store_unavailable error=%s", error)
        except Exception:  # never let one bad row stop every later forward
            logger.exception("helpdesk.forward.crashed")
        await asyncio.sleep(poll_seconds)


__all__ = ["BATCH", "POLL_SECONDS", "forward_due", "forward_one", "run_forever"]
