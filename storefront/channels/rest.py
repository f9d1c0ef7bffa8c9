"""Rasa's REST channel with input validation.

Rasa's own ``rest`` channel trusts its input: a missing body raises inside the handler, a
non-string message reaches the NLU pipeline, and a 50,000-character paste is tokenised and
classified in full. This channel keeps the same URL (``/webhooks/rest/webhook``), request and
response format, and answers malformed requests with a 4xx status and a JSON ``error`` that
says what to fix; the size, length and depth caps are the shared ones of
:mod:`storefront.channels.limits`.
"""

from __future__ import annotations

import copy
import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from storefront.channels.limits import (
    DEFAULT_LIMITS,
    DEFAULT_MAX_MESSAGE_CHARS,
    RequestRejected,
    check_message_text,
    check_metadata,
    install_request_limit,
    limit_settings,
    read_json_body,
    rejection_response,
)

logger = logging.getLogger(__name__)

VERIFIED_SHOPPER_KEY = "shopper"
MAX_SENDER_CHARS = 128


def parse_message_request(
    request: Request, max_chars: int, limits: Optional[Dict[str, int]] = None
) -> Tuple[str, str, Optional[Dict[str, Any]]]:
    """Return ``(sender, text, metadata)`` from a REST webhook request or raise :class:`RequestRejected`.

    ``limits`` holds ``MAX_REQUEST_BYTES``, ``MAX_METADATA_BYTES`` and ``MAX_JSON_DEPTH`` (the
    defaults of :mod:`storefront.channels.limits` when not given).
    """
    caps = {**DEFAULT_LIMITS, **(limits or {})}
    body = read_json_body(request, max_bytes=caps["MAX_REQUEST_BYTES"], max_depth=caps["MAX_JSON_DEPTH"])

    sender = body.get("sender")
    if isinstance(sender, (int, float)) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip():
        raise RequestRejected(
            400, "missing_sender", "'sender' must be a non-empty string identifying the conversation."
        )
    if len(sender) > MAX_SENDER_CHARS:
        raise RequestRejected(
            400, "sender_too_long", f"'sender' must be at most {MAX_SENDER_CHARS} characters."
        )

    text = check_message_text(body.get("message"), max_chars=max_chars)
    metadata = check_metadata(
        body.get("metadata"), max_bytes=caps["MAX_METADATA_BYTES"], max_depth=caps["MAX_JSON_DEPTH"]
    )
    if metadata is not None:
        # Verified shopper identity is only ever set by server-side channel code; a REST client
        # (unauthenticated) must not be able to claim it.
        metadata = {key: value for key, value in metadata.items() if key != VERIFIED_SHOPPER_KEY}
    return sender, text, metadata


class RestInput(RasaRestInput):
    """The REST channel (name ``rest``) with validated input."""

    def __init__(
        self, max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS, limits: Optional[Dict[str, int]] = None
    ) -> None:
        self.max_message_chars = max_message_chars
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Read ``max_message_chars`` from credentials, else the ``MAX_MESSAGE_CHARS`` setting.

        The body, metadata and depth caps are the ``MAX_*`` settings.
        """
        limits = limit_settings()
        raw = (credentials or {}).get("max_message_chars")
        return cls(int(raw) if raw else limits["MAX_MESSAGE_CHARS"], limits)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """Health route and a validating webhook route."""
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)
        install_request_limit(webhook, self.limits["MAX_REQUEST_BYTES"])

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, text, metadata = parse_message_request(request, self.max_message_chars, self.limits)
            except RequestRejected as error:
                return rejection_response(error)
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
