"""One kept-open HTTP client session for the Rasa server's calls to the action server.

Rasa 3.6's :meth:`rasa.utils.endpoints.EndpointConfig.request` opens a new ``aiohttp`` session for
every call (``async with self.session() as session``) and closes it afterwards: every custom
action, form validation and slot mapping pays for a new connection pool, a new TCP connection and
its teardown (8% of the server's time per message under load, docs/performance.md). Rasa has no
setting for it, so :func:`install` replaces ``EndpointConfig.session`` once at start-up (with the
other safeguards, :mod:`storefront.startup`) by one that hands out a session kept open per event
loop and per endpoint configuration (headers and basic auth): its keep-alive connections are
reused by the next call. ``request`` itself is Rasa's, unchanged: same URL, parameters, timeout,
error handling and JSON decoding.

The kept session has no cookie jar (:class:`aiohttp.DummyCookieJar`), so nothing one answer sets
can travel with another shopper's call; a session belongs to one event loop and is replaced when
it was closed. :func:`close_sessions` closes the sessions of the running loop (tests; a server
that stops drops its connections with its process).

The kept session also encodes the request body with :func:`encode_request`: the JSON
``json.dumps`` (aiohttp's default) gives, with two differences in how, not what. The domain, which
Rasa puts last in every call (``RemoteAction._action_call_format``: ``domain.as_dict()``, the
model's one stored dict, about 60 KB of JSON here), is encoded once per domain object and its text
reused, instead of once per call (about 12% of the server's main thread under load,
docs/performance.md, fifth round). The domain is the model's, the same for every shopper; the
tracker and the rest of the body are encoded afresh for each call, by ``ujson`` (Rasa and Sanic
depend on it), four times faster than ``json.dumps`` on a 40 KB tracker: the same values, ASCII
with the same escapes, without the spaces after separators (9% of the main thread, eighth
round). What ``ujson`` refuses is left to ``json.dumps``, which encodes it or raises as before.
"""

from __future__ import annotations

import asyncio
import json
import threading
import weakref
from types import TracebackType
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

import aiohttp
import ujson
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

SessionKey = Tuple[Tuple[Tuple[str, str], ...], Tuple[Tuple[str, str], ...]]

_sessions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Dict[SessionKey, aiohttp.ClientSession]] = (
    weakref.WeakKeyDictionary()
)
_original: List[Callable[[EndpointConfig], Any]] = []

DOMAIN_KEY = "domain"
_encoded_domain: List[Tuple[Dict[str, Any], str]] = []  # (the domain dict, held; its JSON text)
_encoded_domain_lock = threading.Lock()


def _domain_text(domain: Dict[str, Any]) -> str:
    """``json.dumps(domain)``, computed once per domain dict (held, so its id is never reused)."""
    cached = _encoded_domain[0] if _encoded_domain else None
    if cached is not None and cached[0] is domain:
        return cached[1]
    text = json.dumps(domain)
    with _encoded_domain_lock:
        _encoded_domain[:] = [(domain, text)]
    return text


def dumps(value: Any) -> str:
    """``value`` as JSON text: ``ujson``'s encoding, or ``json.dumps``'s where ujson refuses it."""
    try:
        return ujson.dumps(value, escape_forward_slashes=False)
    except (TypeError, ValueError, OverflowError):
        return json.dumps(value)


def encode_request(body: Any) -> str:
    """``body`` as JSON text, with a domain that comes last in the body encoded once per domain."""
    if not isinstance(body, dict) or len(body) < 2 or next(reversed(body)) != DOMAIN_KEY:
        return dumps(body)
    domain = body[DOMAIN_KEY]
    if not isinstance(domain, dict):
        return dumps(body)
    rest = dumps({key: value for key, value in body.items() if key != DOMAIN_KEY})
    return f"{rest[:-1]}, {json.dumps(DOMAIN_KEY)}: {_domain_text(domain)}}}"


class _KeptSession:
    """``async with`` yields the kept session and leaves it open (Rasa's ``request`` closes its own)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(
        self,
        kind: Optional[Type[BaseException]],
        error: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        return None


def kept_session(endpoint: EndpointConfig) -> _KeptSession:
    """The running loop's open session for ``endpoint``'s headers and credentials (made on first use)."""
    key: SessionKey = (
        tuple(sorted((str(k), str(v)) for k, v in (endpoint.headers or {}).items())),
        tuple(sorted((str(k), str(v)) for k, v in (endpoint.basic_auth or {}).items())),
    )
    sessions = _sessions.setdefault(asyncio.get_running_loop(), {})
    session = sessions.get(key)
    if session is None or session.closed:
        session = sessions[key] = _new_session(endpoint)
    return _KeptSession(session)


def _new_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's session settings (headers, basic auth, timeout), without cookies."""
    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        cookie_jar=aiohttp.DummyCookieJar(),
        json_serialize=encode_request,
    )


async def close_sessions() -> None:
    """Close the running loop's kept sessions (the next request opens a new one)."""
    for session in _sessions.pop(asyncio.get_running_loop(), {}).values():
        await session.close()


def install() -> None:
    """Keep the action server's sessions open between calls (idempotent)."""
    if _original:
        return
    _original.append(EndpointConfig.session)
    EndpointConfig.session = kept_session  # type: ignore[assignment,method-assign]


def uninstall() -> None:
    """Put Rasa's own method back (for tests)."""
    if _original:
        EndpointConfig.session = _original.pop()  # type: ignore[method-assign]


__all__ = ["close_sessions", "encode_request", "install", "kept_session", "uninstall"]
