"""Size and shape limits every channel applies before a request reaches Rasa.

One mechanism for every HTTP route of ours (REST, the storefront page API and transcript,
WhatsApp, Twilio, the agent console):

* :func:`install_request_limit` sets Sanic's ``REQUEST_MAX_SIZE`` for the whole app (Sanic's
  default is 100 MB), from a ``before_server_start`` listener that any of our channel blueprints
  registers: a channel cannot change the app's config when its blueprint is built, but Sanic reads
  the limit for every new connection, so setting it before the server listens covers every route,
  Rasa's own included. Sanic refuses a larger body with 413 before any handler runs.
* :func:`read_json_body` parses one route's JSON body with its own byte cap and a nesting-depth
  cap and raises :class:`RequestRejected` (400, 413 or 415) with a code and a message for the
  caller; :func:`rejection_response` turns it into the JSON answer.
* :func:`check_metadata` bounds a message's metadata (size and depth) for the channels that take
  it from the client (REST, socket.io).

``json.loads`` recurses once per nesting level, so a deep document makes it raise
``RecursionError`` (an HTTP 500 if uncaught) and a document just under the interpreter's limit is
still parsed; both are caught here and the parsed value's depth is then measured without recursion.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Mapping, Optional, Tuple

from sanic import Blueprint, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

# Defaults; the running values come from the settings (core/settings.py, .env.example).
DEFAULT_MAX_REQUEST_BYTES = 1_048_576
DEFAULT_MAX_MESSAGE_CHARS = 5000
DEFAULT_MAX_METADATA_BYTES = 16_384
DEFAULT_MAX_JSON_DEPTH = 32
DEFAULT_LIMITS: Mapping[str, int] = {
    "MAX_REQUEST_BYTES": DEFAULT_MAX_REQUEST_BYTES,
    "MAX_MESSAGE_CHARS": DEFAULT_MAX_MESSAGE_CHARS,
    "MAX_METADATA_BYTES": DEFAULT_MAX_METADATA_BYTES,
    "MAX_JSON_DEPTH": DEFAULT_MAX_JSON_DEPTH,
}


class RequestRejected(Exception):
    """A request refused before processing: the HTTP status, a stable code and a message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def rejection_response(error: RequestRejected, headers: Optional[Mapping[str, str]] = None) -> HTTPResponse:
    """The JSON answer for a refused request: ``{"error": message, "code": code}``."""
    return response.json(
        {"error": error.message, "code": error.code}, status=error.status, headers=dict(headers or {})
    )


def limit_settings() -> Dict[str, int]:
    """The four limits from the settings (``MAX_REQUEST_BYTES``, ``MAX_MESSAGE_CHARS``, ...)."""
    from core.settings import get_settings

    settings = get_settings()
    return {
        "MAX_REQUEST_BYTES": settings.max_request_bytes,
        "MAX_MESSAGE_CHARS": settings.max_message_chars,
        "MAX_METADATA_BYTES": settings.max_metadata_bytes,
        "MAX_JSON_DEPTH": settings.max_json_depth,
    }


def json_depth(value: Any) -> int:
    """How deeply objects and arrays nest in ``value`` (a scalar is 0), measured without recursion."""
    deepest = 0
    stack: List[Tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_json(raw: bytes | str, *, max_bytes: int, max_depth: int, what: str = "the request body") -> Any:
    """Parse JSON of at most ``max_bytes`` bytes nested at most ``max_depth`` levels.

    Raises:
        RequestRejected: 413 ``too_large``, 400 ``invalid_json`` or 400 ``too_deep``.
    """
    size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise RequestRejected(413, "too_large", f"{what} has {size} bytes; the limit is {max_bytes}.")
    try:
        value = json.loads(raw)
    except RecursionError:
        value = None
        too_deep = True
    except (ValueError, UnicodeDecodeError):
        raise RequestRejected(400, "invalid_json", f"{what} is not valid JSON.") from None
    else:
        too_deep = json_depth(value) > max_depth
    if too_deep:
        raise RequestRejected(400, "too_deep", f"{what} nests deeper than {max_depth} levels.")
    return value


def read_json_body(
    request: Request, *, max_bytes: int, max_depth: int = DEFAULT_MAX_JSON_DEPTH, require_object: bool = True
) -> Any:
    """The request's JSON body, checked: ``Content-Type``, size, syntax, depth and (by default) an object.

    Raises:
        RequestRejected: 415 ``unsupported_media_type``, 413 ``too_large``, 400 ``invalid_json``,
            ``too_deep`` or ``invalid_body``.
    """
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise RequestRejected(
            415, "unsupported_media_type",
            "Send JSON with the header 'Content-Type: application/json'.",
        )  # fmt: skip
    body = parse_json(request.body or b"", max_bytes=max_bytes, max_depth=max_depth)
    if require_object and not isinstance(body, dict):
        raise RequestRejected(400, "invalid_body", "The request body must be a JSON object.")
    return body


def check_metadata(
    metadata: Any, *, max_bytes: int, max_depth: int, json_text: bool = False
) -> Optional[Dict[str, Any]]:
    """Message metadata from a client, bounded: ``None``, or a JSON object within both caps.

    With ``json_text``, a string is parsed as JSON with the same caps (Rasa's socket.io protocol
    lets clients send metadata that way).

    Raises:
        RequestRejected: 400 ``invalid_metadata`` or ``too_deep``, 413 ``metadata_too_large``.
    """
    if metadata is None:
        return None
    if json_text and isinstance(metadata, str):
        metadata = parse_json(metadata, max_bytes=max_bytes, max_depth=max_depth, what="'metadata'")
    if not isinstance(metadata, dict):
        raise RequestRejected(400, "invalid_metadata", "'metadata' must be a JSON object when given.")
    if json_depth(metadata) > max_depth:
        raise RequestRejected(400, "too_deep", f"'metadata' nests deeper than {max_depth} levels.")
    size = len(json.dumps(metadata, ensure_ascii=False).encode("utf-8"))
    if size > max_bytes:
        raise RequestRejected(
            413, "metadata_too_large", f"'metadata' has {size} bytes; the limit is {max_bytes}."
        )
    return metadata


def check_message_text(text: Any, *, max_chars: int) -> str:
    """A shopper message's text: a non-empty string of at most ``max_chars`` characters.

    Raises:
        RequestRejected: 400 ``missing_message`` or ``empty_message``, 413 ``message_too_long``.
    """
    if not isinstance(text, str):
        raise RequestRejected(400, "missing_message", "'message' must be a string.")
    if not text.strip():
        raise RequestRejected(400, "empty_message", "'message' is empty; send some text.")
    if len(text) > max_chars:
        raise RequestRejected(
            413, "message_too_long", f"'message' has {len(text)} characters; the limit is {max_chars}."
        )
    return text


def cap_text(text: str, max_chars: int, *, channel: str) -> str:
    """``text`` cut to ``max_chars`` characters, for providers that must not be answered 4xx.

    WhatsApp and Twilio retry a refused webhook, and their signed messages are the shopper's own:
    the bot reads the first ``max_chars`` characters instead (the channel logs that it cut).
    """
    if len(text) <= max_chars:
        return text
    logger.warning("%s.message_cut chars=%d limit=%d", channel, len(text), max_chars)
    return text[:max_chars]


def install_request_limit(blueprint: Blueprint, max_bytes: Optional[int] = None) -> None:
    """Make the app refuse request bodies over ``max_bytes`` (``MAX_REQUEST_BYTES`` by default).

    Every channel of ours calls this on its blueprint; the listeners are idempotent. Sanic answers
    a larger body (by ``Content-Length`` or as it streams in) with 413 before any handler runs.
    """

    @blueprint.listener("before_server_start")
    async def limit_request_size(app: Any, _loop: Any) -> None:
        limit = max_bytes if max_bytes is not None else limit_settings()["MAX_REQUEST_BYTES"]
        if limit != app.config.REQUEST_MAX_SIZE:
            app.config.REQUEST_MAX_SIZE = limit
            logger.info("limits.request_max_size bytes=%d", limit)
        # Sanic's own 413 is an HTML page unless the client sent JSON; ours is always JSON
        app.error_handler.add(PayloadTooLarge, request_too_large)


def request_too_large(_request: Request, _error: Exception) -> HTTPResponse:
    """The answer to a body over ``REQUEST_MAX_SIZE`` (Sanic raises before any handler runs)."""
    return rejection_response(
        RequestRejected(413, "too_large", "The request body is larger than this server accepts.")
    )


__all__ = [
    "DEFAULT_LIMITS",
    "RequestRejected",
    "cap_text",
    "check_message_text",
    "check_metadata",
    "install_request_limit",
    "json_depth",
    "limit_settings",
    "parse_json",
    "read_json_body",
    "rejection_response",
]
