"""Answers of the console: JSON errors, HTML pages, and the JSON-errors decorator.

Handlers raise :class:`ConsoleError` for every refusal (404, 409, bad input) and let
:func:`json_errors` turn it, and Sanic's own errors such as unparsable JSON, into a JSON body
``{"error": ...}`` with the right 4xx status, never a 500 page.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Coroutine, Dict, Mapping, Optional

from sanic import response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from store.runner import StoreUnavailable
from storefront.channels.limits import DEFAULT_MAX_JSON_DEPTH, RequestRejected, parse_json
from storefront.handoff.console.config import config_of

NO_STORE = {"Cache-Control": "no-store"}
MAX_BODY_BYTES = 65_536  # an agent's reply is at most 2,000 characters
Handler = Callable[..., Coroutine[Any, Any, HTTPResponse]]


class ConsoleError(Exception):
    """A refusal to answer as JSON: ``status``, a message for the agent, and extra fields."""

    def __init__(self, status: int, message: str, /, **extra: Any) -> None:
        super().__init__(message)
        self.status_code, self.message, self.extra = status, message, extra


def error(
    status: int, message: str, /, *, headers: Optional[Mapping[str, str]] = None, **extra: Any
) -> HTTPResponse:
    """A JSON error answer (never cached)."""
    return response.json({"error": message, **extra}, status=status, headers={**NO_STORE, **(headers or {})})


def page(
    request: Request,
    name: str,
    status: int = 200,
    alert: str = "",
    headers: Optional[Mapping[str, str]] = None,
) -> HTTPResponse:
    """One of the console's HTML pages, with ``alert`` shown in its alert line."""
    html = (config_of(request).console_dir / name).read_text(encoding="utf-8").replace("<!--error-->", alert)
    return response.html(
        html, status=status, headers={**NO_STORE, "X-Frame-Options": "DENY", **(headers or {})}
    )


def json_errors(handler: Handler) -> Handler:
    """Answer the handler's :class:`ConsoleError`, Sanic's 4xx errors and a store outage as JSON errors."""

    @functools.wraps(handler)
    async def answered(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        try:
            return await handler(request, *args, **kwargs)
        except ConsoleError as refused:
            return error(refused.status_code, refused.message, **refused.extra)
        except StoreUnavailable:
            # the store is down or too slow: the agent can retry, nothing was half-done
            return error(503, "The store is not answering right now; try again in a moment.")
        except SanicException as refused:
            status = int(getattr(refused, "status_code", 0) or 500)
            if status >= 500:
                raise
            return error(status, str(refused))

    return answered


def json_object(request: Request) -> Dict[str, Any]:
    """The request's JSON object body; a missing, unparsable, too deep or non-object body is a 400.

    The shared limits (:mod:`storefront.channels.limits`) parse it: a body over
    :data:`MAX_BODY_BYTES` is a 413, and deep nesting a 400 instead of a recursion error (500).
    """
    raw = request.body or b""
    try:
        body = (
            parse_json(raw, max_bytes=MAX_BODY_BYTES, max_depth=DEFAULT_MAX_JSON_DEPTH)
            if raw.strip()
            else None
        )
    except RequestRejected as refused:
        if refused.code == "invalid_json":
            raise ConsoleError(400, "the body is not valid JSON") from None
        raise ConsoleError(refused.status, refused.message) from None
    if not isinstance(body, dict):
        raise ConsoleError(400, "send a JSON object as the body")
    return body
