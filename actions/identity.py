"""Who the shopper is, as far as a channel has proved it (the metadata contract).

Server-side channel code puts ``metadata["shopper"]`` on a user message only after checking it
(WhatsApp and Twilio: the sender's number as the provider signed it; widget: the page's signed
token), names the input channel that checked it in ``proved_by``, and strips any client-supplied
``shopper`` (see ``storefront/trusted_metadata.py``). So a ``verified_phone`` or
``verified_email`` here may stand in for the contact the order-verification forms would
otherwise ask for, but only when it matches the order's own contact: the store decides that,
never this module.

A proof belongs to the channel that made it: a record counts only on a message that arrived on
its ``proved_by`` channel, whether it is the latest message's or the one the session started
with (``session_started_metadata``). A message on another channel proves nothing, even in the
same conversation.

The same messages carry ``metadata["client"]``, the address the channel saw the request come
from; failed order verifications are counted per address (``store/verification.py``).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

SESSION_METADATA_SLOT = "session_started_metadata"
SHOPPER_KEY = "shopper"
CLIENT_KEY = "client"
PROACTIVE_KEY = "proactive"  # the proactive message being answered (set by the messaging channels)


def latest_input_channel(tracker: Tracker) -> Optional[str]:
    """The input channel of the latest user message (``None`` before the shopper wrote)."""
    channel = tracker.get_latest_input_channel()
    return channel if isinstance(channel, str) and channel else None


def message_metadata(tracker: Tracker) -> Dict[str, Any]:
    """The latest user message's metadata, else the metadata the session started with."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    if not metadata:
        metadata = tracker.get_slot(SESSION_METADATA_SLOT) or {}
    return metadata if isinstance(metadata, dict) else {}


def _proved_here(record: Any, channel: Optional[str]) -> bool:
    return isinstance(record, dict) and channel is not None and record.get("proved_by") == channel


def shopper(tracker: Tracker) -> Dict[str, Any]:
    """The channel-verified shopper record (``{}`` when this message's channel proved nothing)."""
    record = message_metadata(tracker).get(SHOPPER_KEY)
    if isinstance(record, dict) and _proved_here(record, latest_input_channel(tracker)):
        return record
    return {}


def client_address(tracker: Tracker) -> Optional[str]:
    """``<channel>:<address>`` of the latest message's client, for counting failed verifications."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    record = metadata.get(CLIENT_KEY) if isinstance(metadata, dict) else None
    if not isinstance(record, dict):
        return None
    channel, address = record.get("channel"), record.get("address")
    if not isinstance(channel, str) or not isinstance(address, str) or not address:
        return None
    return f"{channel}:{address}"


def _text(record: Dict[str, Any], key: str) -> Optional[str]:
    value = record.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def verified_phone(tracker: Tracker) -> Optional[str]:
    """The phone number a channel (WhatsApp, Twilio) proved the shopper is writing from."""
    return _text(shopper(tracker), "verified_phone")


def verified_email(tracker: Tracker) -> Optional[str]:
    """The email of a shopper signed in on the website (checked by the socket.io channel)."""
    return _text(shopper(tracker), "verified_email")


def verified_contacts(tracker: Tracker) -> List[str]:
    """Every contact the channel proved, email first (an order's email is more often filled in)."""
    return [value for value in (verified_email(tracker), verified_phone(tracker)) if value]


def shopper_name(tracker: Tracker) -> Optional[str]:
    """The name the channel knows the shopper by (a WhatsApp profile name), for greetings only."""
    return _text(shopper(tracker), "name")
