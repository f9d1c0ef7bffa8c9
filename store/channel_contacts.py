"""When a shopper last wrote on a messaging channel, and from which conversation.

WhatsApp lets a business send free-form messages only within 24 hours of the shopper's last
message; the outbox worker runs outside Rasa, so the channels note each inbound message here.
The conversation id also lets a proactive message land in the shopper's own conversation.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.consent import Channel, normalize_address
from store.info import store_country
from store.models import ChannelContact

WHATSAPP_WINDOW = timedelta(hours=24)


def _find(session: Session, channel: Channel, address: str) -> Optional[ChannelContact]:
    return session.execute(
        select(ChannelContact).where(
            ChannelContact.channel == channel.value, ChannelContact.address == address
        )
    ).scalar_one_or_none()


def note_inbound(
    session: Session, *, channel: Channel, address: str, conversation_id: str, now: datetime
) -> None:
    """Remember that ``address`` wrote on ``channel`` at ``now`` in ``conversation_id``."""
    address = normalize_address(channel, address, region=store_country(session))
    row = _find(session, channel, address)
    if row is None:
        row = ChannelContact(
            channel=channel.value, address=address, conversation_id=conversation_id, last_inbound_at=now
        )
        session.add(row)
    elif now >= row.last_inbound_at:
        row.last_inbound_at, row.conversation_id = now, conversation_id
    session.flush()


def contact(session: Session, *, channel: Channel, address: str) -> Optional[ChannelContact]:
    """What is known about ``address`` on ``channel`` (None: it never wrote)."""
    return _find(session, channel, normalize_address(channel, address, region=store_country(session)))


def window_open(session: Session, *, channel: Channel, address: str, now: datetime) -> bool:
    """Whether a free-form WhatsApp message may go to ``address`` now (it wrote < 24 hours ago)."""
    row = contact(session, channel=channel, address=address)
    return row is not None and now - row.last_inbound_at < WHATSAPP_WINDOW
