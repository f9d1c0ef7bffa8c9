"""Reading WhatsApp Cloud API webhooks: the signature check and the message payloads.

Nothing here talks to Rasa or the network. :func:`parse_webhook` turns one webhook body into the
messages the bot should see, skipping delivery statuses, reactions and malformed entries.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from storefront.channels.conversation_ids import conversation_id as namespaced
from storefront.channels.limits import DEFAULT_MAX_JSON_DEPTH, DEFAULT_MAX_REQUEST_BYTES, parse_json
from storefront.trusted_metadata import client_record, verified_shopper

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
WEBHOOK_OBJECT = "whatsapp_business_account"

MEDIA_TYPES = frozenset({"image", "video", "audio", "document", "sticker"})
# Message types that carry nothing for the bot and need no answer.
SILENT_TYPES = frozenset({"reaction", "system", "ephemeral"})

_POSTAL_CODE = re.compile(
    r"\b(\d{5}(?:-\d{4})?|\d{4,6}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Intents:
    """Intent names the channel sends for messages that are not plain text (see the domain)."""

    location: str = "inform"
    media: str = "media_received"


@dataclass(frozen=True)
class InboundMessage:
    """One shopper message, ready to become a Rasa ``UserMessage``."""

    conversation_id: str
    message_id: str
    text: str
    timestamp: Optional[float]
    metadata: Dict[str, Any] = field(default_factory=dict)


def signature_is_valid(app_secret: str, body: bytes, header: Optional[str]) -> bool:
    """Check ``X-Hub-Signature-256`` (``sha256=<hex HMAC-SHA256(app secret, raw body)>``).

    Some senders hash the body with non-ASCII characters escaped as ``\\uXXXX``; that form is
    accepted too. Comparison is constant-time.
    """
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    received = header[len("sha256=") :].strip().lower()
    key = app_secret.encode("utf-8")
    candidates = [body]
    if any(byte >= 0x80 for byte in body):
        with contextlib.suppress(UnicodeDecodeError):
            candidates.append(_json_escape(body))
    valid = False
    for candidate in candidates:
        expected = hmac.new(key, candidate, hashlib.sha256).hexdigest()
        valid |= hmac.compare_digest(expected, received)
    return valid


def _json_escape(body: bytes) -> bytes:
    """The body with every non-ASCII character written as JSON ``\\uXXXX`` escapes."""
    text = body.decode("utf-8")
    out = []
    for char in text:
        code = ord(char)
        if code < 0x80:
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    return "".join(out).encode("ascii")


class MalformedWebhook(ValueError):
    """The body is not a JSON object; the request is answered with 400."""


def load_body(
    body: bytes, *, max_bytes: int = DEFAULT_MAX_REQUEST_BYTES, max_depth: int = DEFAULT_MAX_JSON_DEPTH
) -> Dict[str, Any]:
    """Decode a webhook body into a JSON object.

    Raises:
        RequestRejected: the body is over ``max_bytes``, not JSON, or nests over ``max_depth``.
        MalformedWebhook: the body is JSON but not an object.
    """
    data = parse_json(body, max_bytes=max_bytes, max_depth=max_depth)
    if not isinstance(data, dict):
        raise MalformedWebhook("the body is not a JSON object")
    return data


def parse_webhook(data: Mapping[str, Any], intents: Intents = Intents()) -> List[InboundMessage]:
    """The shopper messages in one webhook body (statuses and unusable entries are skipped).

    Call it only after :func:`signature_is_valid`: each message's ``shopper`` record treats the
    sender's number as verified.
    """
    if data.get("object") != WEBHOOK_OBJECT:
        logger.warning("whatsapp.webhook.ignored object=%r", data.get("object"))
        return []
    messages: List[InboundMessage] = []
    for entry in _dicts(data.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field", "messages") != "messages" or not isinstance(value, dict):
                continue
            contacts = list(_dicts(value.get("contacts")))
            business = _dict(value.get("metadata"))
            for raw in _dicts(value.get("messages")):
                message = _parse_message(raw, contacts, business, intents)
                if message is not None:
                    messages.append(message)
    return messages


@dataclass(frozen=True)
class DeliveryStatus:
    """A ``statuses[]`` entry: what happened to a message we sent (sent, delivered, read, failed)."""

    message_id: str
    status: str
    error: Optional[str] = None


def parse_statuses(data: Mapping[str, Any]) -> List[DeliveryStatus]:
    """The delivery statuses in one webhook body (call it after :func:`signature_is_valid`)."""
    found: List[DeliveryStatus] = []
    if data.get("object") != WEBHOOK_OBJECT:
        return found
    for entry in _dicts(data.get("entry")):
        for change in _dicts(entry.get("changes")):
            for raw in _dicts(_dict(change.get("value")).get("statuses")):
                message_id, status = raw.get("id"), raw.get("status")
                if isinstance(message_id, str) and isinstance(status, str):
                    errors = _dicts(raw.get("errors"))
                    error = f"{errors[0].get('code')}: {errors[0].get('title')}" if errors else None
                    found.append(DeliveryStatus(message_id, status, error))
    return found


def _dict(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> List[Dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _contact_for(raw: Mapping[str, Any], contacts: List[Dict[str, Any]]) -> Dict[str, Any]:
    sender, user_id = raw.get("from"), raw.get("from_user_id")
    for contact in contacts:
        if (sender and contact.get("wa_id") == sender) or (user_id and contact.get("user_id") == user_id):
            return contact
    return contacts[0] if len(contacts) == 1 else {}


def _parse_message(
    raw: Mapping[str, Any], contacts: List[Dict[str, Any]], business: Mapping[str, Any], intents: Intents
) -> Optional[InboundMessage]:
    message_id, kind = raw.get("id"), raw.get("type")
    sender, user_id = raw.get("from"), raw.get("from_user_id")
    native = sender or user_id
    if not isinstance(message_id, str) or not message_id or not isinstance(native, str) or not kind:
        logger.warning("whatsapp.webhook.message_skipped reason=missing_fields id=%r", message_id)
        return None
    if kind in SILENT_TYPES:
        return None
    contact = _contact_for(raw, contacts)
    profile = _dict(contact.get("profile"))
    wa_id = sender or contact.get("wa_id")
    metadata: Dict[str, Any] = {
        "channel": "whatsapp",
        "message_id": message_id,
        "message_type": kind,
        "wa_id": wa_id,
        "user_id": user_id or contact.get("user_id"),
        "phone": f"+{wa_id}" if isinstance(wa_id, str) and wa_id.isdigit() else None,
        "profile_name": profile.get("name"),
        "username": profile.get("username"),
        "business_phone_number_id": business.get("phone_number_id"),
    }
    # parse_webhook runs only on bodies whose signature the channel checked: the number is Meta's
    metadata["shopper"] = verified_shopper(
        "whatsapp", metadata["phone"], wa_id, metadata["profile_name"], proved_by="whatsapp"
    )
    # the sender's own id is the only address a WhatsApp client has (failed verifications count it)
    metadata["client"] = client_record("whatsapp", native)
    text = _message_text(raw, kind, intents, metadata)
    if text is None:
        logger.warning("whatsapp.webhook.message_skipped reason=no_content id=%s type=%s", message_id, kind)
        return None
    return InboundMessage(
        conversation_id=namespaced("whatsapp", native),
        message_id=message_id,
        text=text,
        timestamp=_timestamp(raw.get("timestamp")),
        metadata={key: value for key, value in metadata.items() if value is not None},
    )


def _timestamp(value: Any) -> Optional[float]:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _message_text(
    raw: Mapping[str, Any], kind: str, intents: Intents, metadata: Dict[str, Any]
) -> Optional[str]:
    """What the bot reads for this message; may add details to ``metadata``."""
    body = _dict(raw.get(kind))
    if kind == "text":
        text = body.get("body")
        if not isinstance(text, str) or not text.strip():
            return None
        # STOP/START/HELP stay text here: the channel takes them before the NLU (keywords.py).
        # Typed text never reaches Rasa as "/intent{entities}": only our own buttons may do that.
        return text.lstrip().lstrip("/") or None
    if kind == "interactive":
        # button_reply and list_reply carry the payload we sent as the option's id
        reply = _dict(body.get(str(body.get("type"))))
        return reply["id"] if isinstance(reply.get("id"), str) and reply["id"] else None
    if kind == "button":
        # a quick-reply button of a template: the payload set when the template was sent
        return body.get("payload") or body.get("text") or None
    if kind == "location":
        return location_text(body, intents, metadata)
    caption = body.get("caption") if isinstance(body.get("caption"), str) else None
    metadata["media"] = {
        key: body[key] for key in ("id", "mime_type", "filename", "sha256") if isinstance(body.get(key), str)
    }
    if caption and caption.strip():
        return caption
    media_type = kind if kind in MEDIA_TYPES else "unsupported"
    return f"/{intents.media}" + json.dumps({"media_type": media_type})


def location_text(body: Mapping[str, Any], intents: Intents, metadata: Dict[str, Any]) -> str:
    """A shared location as an ``inform`` with the country and postal code its address names."""
    location = {key: body[key] for key in ("latitude", "longitude", "name", "address") if key in body}
    metadata["location"] = location
    entities: Dict[str, str] = {}
    address = body.get("address")
    if isinstance(address, str) and address.strip():
        parts = [part.strip() for part in address.split(",") if part.strip()]
        if len(parts) > 1 and re.fullmatch(r"[^\d]{2,}", parts[-1]):
            entities["country"] = parts[-1]
        postal = _POSTAL_CODE.findall(", ".join(parts[1:]) if len(parts) > 1 else address)
        if postal:
            entities["postal_code"] = postal[-1].upper()
    return f"/{intents.location}" + (json.dumps(entities) if entities else "")
