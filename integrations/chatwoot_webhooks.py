"""Chatwoot's webhooks into the assistant: who may send them, and what in them matters.

Authenticity, as Chatwoot allows it:

* versions that sign webhooks send ``X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret,
  "{timestamp}.{raw body}")>`` with ``X-Chatwoot-Timestamp``; with ``CHATWOOT_WEBHOOK_SECRET`` set
  the signature is required, checked in constant time, and a timestamp more than
  :data:`MAX_SKEW_SECONDS` away is refused (a replayed delivery);
* older versions sign nothing: the webhook URL then carries a secret token
  (``/webhooks/chatwoot/webhook?token=...``, ``CHATWOOT_WEBHOOK_TOKEN``), compared in constant time.

Two events matter (:func:`helpdesk_event`): an agent's public reply (``message_created`` with
``message_type`` outgoing, given as a string or an integer, not private, sent by a ``user``) and
a hand-back (``conversation_status_changed`` to ``resolved`` or back to ``pending``, the bot's
state). Everything else (our own private note, the shopper's messages, our ``open``) is ignored.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Union

SIGNATURE_HEADER = "X-Chatwoot-Signature"
TIMESTAMP_HEADER = "X-Chatwoot-Timestamp"
MAX_SKEW_SECONDS = 300
OUTGOING = ("outgoing", 1)
HAND_BACK_STATUSES = ("resolved", "pending")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``X-Chatwoot-Signature`` for ``body`` sent at ``timestamp`` (Unix seconds, as text)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_valid(
    secret: str, body: bytes, signature: Optional[str], timestamp: Optional[str], *, now: float
) -> bool:
    """Whether the delivery is signed with ``secret`` and recent (constant-time compare)."""
    if not secret or not signature or not timestamp or not timestamp.strip().isdigit():
        return False
    if abs(now - int(timestamp.strip())) > MAX_SKEW_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, timestamp.strip(), body).encode(), signature.strip().encode())


def token_valid(expected: str, given: Optional[str]) -> bool:
    """Whether the URL's ``token`` is the configured one (constant-time compare)."""
    return bool(expected) and given is not None and hmac.compare_digest(expected.encode(), given.encode())


@dataclass(frozen=True)
class AgentReply:
    """An agent's public reply in Chatwoot, for the shopper."""

    key: str
    helpdesk_conversation_id: int
    text: str
    agent: str


@dataclass(frozen=True)
class HandBack:
    """Chatwoot gave the conversation back: resolved, or set back to the bot's ``pending``."""

    key: str
    helpdesk_conversation_id: int
    status: str
    agent: str


def _agent_name(value: Any) -> str:
    name = (value or {}).get("name") if isinstance(value, Mapping) else None
    return str(name).strip()[:80] if name else "Chatwoot agent"


def helpdesk_event(payload: Mapping[str, Any]) -> Union[AgentReply, HandBack, None]:
    """What a webhook payload asks of the assistant, or None for an event it ignores.

    Raises:
        KeyError, TypeError, ValueError: a payload that lacks or misspells a field it needs.
    """
    event = payload.get("event")
    if event == "message_created":
        sender = payload.get("sender") or {}
        text = str(payload.get("content") or "").strip()
        if (
            payload.get("message_type") not in OUTGOING
            or payload.get("private")
            or sender.get("type") != "user"
            or not text
        ):
            return None
        conversation = int(payload["conversation"]["id"])
        return AgentReply(f"message:{int(payload['id'])}", conversation, text, _agent_name(sender))
    if event == "conversation_status_changed":
        status = str(payload.get("status") or "")
        if status not in HAND_BACK_STATUSES:
            return None
        conversation = int(payload["id"])
        agent = _agent_name((payload.get("meta") or {}).get("assignee"))
        return HandBack(f"status:{conversation}:{status}", conversation, status, agent)
    return None


__all__ = [
    "MAX_SKEW_SECONDS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "AgentReply",
    "HandBack",
    "helpdesk_event",
    "sign",
    "signature_valid",
    "token_valid",
]
