"""Who the shopper is, as far as a channel has proved it (the metadata contract).

Server-side channel code puts ``metadata["shopper"]`` on a user message only after checking it
(WhatsApp: the sender's number as Meta delivered it; widget: the page's signed token) and strips any
client-supplied ``shopper`` key. So a ``verified_phone`` or ``verified_email`` here may stand in for
the contact the order-verification forms would otherwise ask for, but only when it matches the
order's own contact: the store decides that, never this module.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

SESSION_METADATA_SLOT = "session_started_metadata"


def message_metadata(tracker: Tracker) -> Dict[str, Any]:
    """The latest user message's metadata, else the metadata the session started with."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    if not metadata:
        metadata = tracker.get_slot(SESSION_METADATA_SLOT) or {}
    return metadata if isinstance(metadata, dict) else {}


def shopper(tracker: Tracker) -> Dict[str, Any]:
    """The channel-verified shopper record (``{}`` when the channel proved nothing)."""
    record = message_metadata(tracker).get("shopper")
    return record if isinstance(record, dict) else {}


def _text(record: Dict[str, Any], key: str) -> Optional[str]:
    value = record.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def verified_phone(tracker: Tracker) -> Optional[str]:
    """The phone number a channel (WhatsApp) proved the shopper is writing from."""
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
