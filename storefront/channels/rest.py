"""Rasa's REST channel with input validation.

Rasa's own ``rest`` channel trusts its input: a missing body raises inside the handler, a
non-string message reaches the NLU pipeline, and a 50,000-character paste is tokenised and
classified in full. This channel keeps the same URL (``/webhooks/rest/webhook``), request and
response format, and answers malformed requests with a 4xx status and a JSON ``error`` that
says what to fix.
"""

from __future__ import annotations

import copy
import json
import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from core.settings import get_settings

logger = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_CHARS = 5000
VERIFIED_SHOPPER_KEY = "shopper"
MAX_SENDER_CHARS = 128


class BadRequest(Exception):
    """A request the channel refuses, with the HTTP status and a message for the caller."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def parse_message_request(request: Request, max_chars: int) -> Tuple[str, str, Optional[Dict[str, Any]]]:
    """Return ``(sender, text, metadata)`` from a REST webhook request or raise :class:`BadRequest`."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise BadRequest(
            415, "unsupported_media_type",
            "Send the message as JSON with the header 'Content-Type: application/json'.",
        )  # fmt: skip
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(400, "invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise BadRequest(
            400, "invalid_body", 'Expected a JSON object like {"sender": "...", "message": "..."}.'
        )

    sender = body.get("sender")
    if isinstance(sender, (int, float)) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest(
            400, "missing_sender", "'sender' must be a non-empty string identifying the conversation."
        )
    if len(sender) > MAX_SENDER_CHARS:
        raise BadRequest(400, "sender_too_long", f"'sender' must be at most {MAX_SENDER_CHARS} characters.")

    text = body.get("message")
    if not isinstance(text, str):
        raise BadRequest(400, "missing_message", "'message' must be a string.")
    if not text.strip():
        raise BadRequest(400, "empty_message", "'message' is empty; send some text.")
    if len(text) > max_chars:
        raise BadRequest(
            413, "message_too_long",
            f"'message' has {len(text)} characters; the limit is {max_chars}.",
        )  # fmt: skip

    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest(400, "invalid_metadata", "'metadata' must be a JSON object when given.")
    if metadata is not None:
        # Verified shopper identity is only ever set by server-side channel code; a REST client
        # (unauthenticated) must not be able to claim it.
        metadata = {key: value for key, value in metadata.items() if key != VERIFIED_SHOPPER_KEY}
    return sender, text, metadata


class RestInput(RasaRestInput):
    """The REST channel (name ``rest``) with validated input."""

    def __init__(self, max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS) -> None:
        self.max_message_chars = max_message_chars

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Read ``max_message_chars`` from credentials or ``REST_MAX_MESSAGE_CHARS``."""
        credentials = credentials or {}
        raw = credentials.get("max_message_chars")
        return cls(int(raw) if raw else get_settings().rest_max_message_chars)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """Health route and a validating webhook route."""
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, text, metadata = parse_message_request(request, self.max_message_chars)
            except BadRequest as error:
                return response.json({"error": error.message, "code": error.code}, status=error.status)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata)
                )
            except CancelledError:
                logger.error("Timed out handling a REST message from %s", sender)
            except Exception:
                logger.exception("Failed to handle a REST message: %r", copy.deepcopy(text)[:200])
                return response.json(
                    {"error": "The assistant could not process this message.", "code": "internal_error"},
                    status=500,
                )
            return response.json(collector.messages)

        return webhook
