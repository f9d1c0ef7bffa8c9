"""Replies to proactive messages carry what the message was about (``metadata["proactive"]``).

The WhatsApp and Twilio channels call :func:`with_proactive_context` for every shopper message
they pass on: when the outbox sent that number a message on that channel within the reply window
(:mod:`store.proactive_context`), the message's metadata names it (trigger, when, on which
channel) and its object (the cart's lines, the product, the order). Only server-side channel code
sets the key (:mod:`storefront.trusted_metadata` drops it from clients).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from core import clock
from store.consent import Channel
from store.proactive_context import reply_context
from store.runner import StoreUnavailable, configured_timeout, run_in_session
from storefront.trusted_metadata import PROACTIVE_KEY

logger = logging.getLogger(__name__)


async def with_proactive_context(
    metadata: Dict[str, Any], *, channel: Channel, address: Optional[str], conversation_id: str
) -> Dict[str, Any]:
    """``metadata`` plus ``proactive`` when the shopper is answering a proactive message.

    A store that does not answer costs the context, never the message.
    """
    try:
        context = await run_in_session(
            reply_context,
            timeout=configured_timeout(),
            channel=channel,
            address=address,
            conversation_id=conversation_id,
            now=clock.now(),
        )
    except StoreUnavailable:
        logger.warning("proactive.context.unavailable conversation=%s", conversation_id)
        return metadata
    if context is None:
        return metadata
    return {**metadata, PROACTIVE_KEY: context}
