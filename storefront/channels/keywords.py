"""STOP, START and HELP on the messaging channels, answered before the NLU sees the message.

A keyword changes the consent ledger at once and is confirmed with the domain's response, sent
straight through the channel's output: the message never reaches Rasa, so it works inside a form
and during a handoff (a paused conversation predicts nothing) and can never count as a fallback
or lead to a handoff. Every inbound message also notes when the shopper last wrote (the WhatsApp
24-hour window the outbox worker checks), and providers' delivery statuses reach the outbox here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

from sqlalchemy.orm import Session

from core import clock
from core.responses import response_text
from store.channel_contacts import note_inbound
from store.consent import Channel
from store.keywords import KeywordResult, apply_keyword, keyword_of
from store.outbox import record_delivery
from store.runner import configured_timeout, run_in_session

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inbound:
    """One shopper message as the keyword check needs it."""

    channel: Channel
    address: str  # the shopper's number (E.164) on SMS and WhatsApp
    conversation_id: str
    text: Optional[str]  # typed text only (a button's payload is never a keyword)


def _record(session: Session, *, inbound: Inbound, now: datetime) -> Optional[KeywordResult]:
    note_inbound(
        session,
        channel=inbound.channel,
        address=inbound.address,
        conversation_id=inbound.conversation_id,
        now=now,
    )
    keyword = keyword_of(inbound.text, channel=inbound.channel)
    if keyword is None:
        return None
    return apply_keyword(
        session,
        keyword=keyword,
        word=inbound.text or "",
        channel=inbound.channel,
        address=inbound.address,
        now=now,
    )


async def record_status(provider_message_id: str, status: str, error: Optional[str] = None) -> bool:
    """Apply a provider's delivery status to the outbox message it names (False: not ours)."""
    return await run_in_session(
        record_delivery,
        timeout=configured_timeout(),
        provider_message_id=provider_message_id,
        status=status,
        now=clock.now(),
        error=error,
    )


async def take_keyword(inbound: Inbound, output: Any, *, reply: bool = True) -> bool:
    """Note the message; if it is a keyword, apply it and confirm it once. True: it was a keyword.

    Args:
        inbound: the message.
        output: the channel's output channel (``send_text_message``) for the confirmation.
        reply: False where the provider confirms keywords itself (Twilio's Advanced Opt-Out on SMS).

    Raises:
        StoreUnavailable: the ledger could not be written; the channel lets the provider retry.
    """
    result = await run_in_session(_record, timeout=configured_timeout(), inbound=inbound, now=clock.now())
    if result is None:
        return False
    logger.info(
        "keyword.%s channel=%s outcome=%s", result.keyword.value, inbound.channel.value, result.outcome.value
    )
    if reply and result.response is not None:
        await output.send_text_message(
            inbound.conversation_id, response_text(result.response, inbound.channel.value)
        )
    return True
