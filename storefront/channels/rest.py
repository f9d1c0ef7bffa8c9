"""Rasa's REST channel with input validation, its own token and its own conversation ids.

Rasa's own ``rest`` channel trusts its input: a missing body raises inside the handler, a
non-string message reaches the NLU pipeline, and a 50,000-character paste is tokenised and
classified in full. This channel keeps the same URL (``/webhooks/rest/webhook``), request and
response format, and answers malformed requests with a 4xx status and a JSON ``error`` that
says what to fix; the size, length and depth caps are the shared ones of
:mod:`storefront.channels.limits`.

Trust: a REST client proves nothing about who it is. Its ``sender`` names a conversation in the
``rest:`` namespace only (``rest:<sender>``, see :mod:`storefront.channels.conversation_ids`),
so it can never write into a WhatsApp, Twilio or widget conversation; the replies still carry
the client's own ``sender`` as ``recipient_id``. Any ``shopper`` or ``client`` metadata it sends
is dropped and ``client`` is set to the request's address. With ``REST_API_TOKEN`` set, every
request must carry it (``Authorization: Bearer <token>`` or ``?token=<token>``) or gets 401.
"""

from __future__ import annotations

import copy
import hmac
import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from core.settings import get_settings
from storefront.channels.conversation_ids import conversation_id
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
from storefront.trusted_metadata import CLIENT_KEY, client_record, request_address, untrusted

logger = logging.getLogger(__name__)
MAX_SENDER_CHARS = 128
CHANNEL = "rest"


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
    # Identity and the client's address are only ever set by server-side channel code; a REST
    # client must not be able to claim either.
    trusted = untrusted(metadata)
    client = client_record(CHANNEL, request_address(request))
    if client is not None:
        trusted[CLIENT_KEY] = client
    return sender, text, trusted or None


def presented_token(request: Request) -> str:
    """The token a request carries: ``Authorization: Bearer <token>``, else ``?token=``."""
    header = request.headers.get("authorization") or ""
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return str(request.args.get("token") or "")


def token_is_valid(expected: str, request: Request) -> bool:
    """Whether the request may use the channel: no token configured, or the right one (constant time)."""
    if not expected:
        return True
    return hmac.compare_digest(presented_token(request).encode("utf-8"), expected.encode("utf-8"))


class RestInput(RasaRestInput):
    """The REST channel (name ``rest``) with validated input."""

    def __init__(
        self,
        max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS,
        limits: Optional[Dict[str, int]] = None,
        token: str = "",
    ) -> None:
        self.max_message_chars = max_message_chars
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self.token = token

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Read ``max_message_chars`` and ``token`` from credentials, else from the settings.

        The body, metadata and depth caps are the ``MAX_*`` settings. ``token``
        (``REST_API_TOKEN``) empty: the channel is open, as Rasa's own REST channel.
        """
        credentials = credentials or {}
        limits = limit_settings()
        raw = credentials.get("max_message_chars")
        token = credentials.get("token") or get_settings().rest_api_token
        if not token:
            logger.info("rest.token.disabled: anyone who reaches the server may use the REST channel")
        return cls(int(raw) if raw else limits["MAX_MESSAGE_CHARS"], limits, str(token or ""))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """Health route and a validating webhook route."""
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)
        install_request_limit(webhook, self.limits["MAX_REQUEST_BYTES"])

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not token_is_valid(self.token, request):
                return response.json(
                    {"error": "Send the REST channel's token: 'Authorization: Bearer <token>'.",
                     "code": "unauthorized"},
                    status=401, headers={"WWW-Authenticate": "Bearer"},
                )  # fmt: skip
            try:
                sender, text, metadata = parse_message_request(request, self.max_message_chars, self.limits)
            except RequestRejected as error:
                return rejection_response(error)
            collector = CollectingOutputChannel()
            conversation = conversation_id(self.name(), sender)
            try:
                await on_new_message(
                    UserMessage(text, collector, conversation, input_channel=self.name(), metadata=metadata)
                )
            except CancelledError:
                logger.error("Timed out handling a REST message from %s", sender)
            except Exception:
                logger.exception("Failed to handle a REST message: %r", copy.deepcopy(text)[:200])
                return response.json(
                    {"error": "The assistant could not process this message.", "code": "internal_error"},
                    status=500,
                )
            # the client knows its conversation by its own sender, not by the namespaced id
            return response.json([{**message, "recipient_id": sender} for message in collector.messages])

        return webhook
