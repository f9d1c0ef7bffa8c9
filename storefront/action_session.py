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

The domain need not travel at all once the action server holds it (:mod:`core.action_protocol`):
every action call names its domain's digest (SHA-256 of its JSON text) in the
``X-Storefront-Domain`` header. An action server
that keeps domains (``tools/action_server.py``) answers a call that carried the domain with
``X-Storefront-Domain-Kept: <digest>``; from then on calls to that URL omit the domain (a 40 KB
body instead of 100 KB, and the action server parses 0.4 ms less per call). If it does not hold
that domain (restarted, or another replica behind the URL) it answers 409 with
``X-Storefront-Domain-Kept: unknown`` and the same call is sent again at once with the domain.
Any other action server (rasa-sdk's own) never sends the header, so it always gets the domain;
compressed calls (``COMPRESS_ACTION_SERVER_REQUEST``) always carry it too.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import pickle
import secrets
import threading
import weakref
from collections import OrderedDict
from types import TracebackType
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

import aiohttp
import ujson
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

from core.action_protocol import (
    DOMAIN_HEADER,
    DOMAIN_KEPT_HEADER,
    DOMAIN_UNKNOWN,
    EVENTS_BASE_HEADER,
    EVENTS_HEADER,
    EVENTS_KEPT_HEADER,
    EVENTS_UNKNOWN,
)

SessionKey = Tuple[Tuple[Tuple[str, str], ...], Tuple[Tuple[str, str], ...]]

_sessions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Dict[SessionKey, aiohttp.ClientSession]] = (
    weakref.WeakKeyDictionary()
)
_original: List[Callable[[EndpointConfig], Any]] = []
_digests: weakref.WeakKeyDictionary[aiohttp.ClientSession, _DomainDigests] = weakref.WeakKeyDictionary()
_kept_events: weakref.WeakKeyDictionary[aiohttp.ClientSession, _KeptEvents] = weakref.WeakKeyDictionary()

DOMAIN_KEY = "domain"
_encoded_domain: List[Tuple[Dict[str, Any], str, str]] = []  # (the domain dict, held; its JSON; digest)
_encoded_domain_lock = threading.Lock()


def _encoded(domain: Dict[str, Any]) -> Tuple[str, str]:
    """``json.dumps(domain)`` and its digest, computed once per domain dict (held: its id stays unique)."""
    cached = _encoded_domain[0] if _encoded_domain else None
    if cached is not None and cached[0] is domain:
        return cached[1], cached[2]
    text = json.dumps(domain)
    digest = hashlib.sha256(text.encode()).hexdigest()
    with _encoded_domain_lock:
        _encoded_domain[:] = [(domain, text, digest)]
    return text, digest


def _domain_text(domain: Dict[str, Any]) -> str:
    return _encoded(domain)[0]


def call_domain(body: Any) -> Optional[Dict[str, Any]]:
    """The domain of an action call as Rasa builds it (a dict, the body's last key), else None."""
    if not isinstance(body, dict) or len(body) < 2 or next(reversed(body)) != DOMAIN_KEY:
        return None
    domain = body[DOMAIN_KEY]
    return domain if isinstance(domain, dict) else None


def dumps(value: Any) -> str:
    """``value`` as JSON text: ``ujson``'s encoding, or ``json.dumps``'s where ujson refuses it."""
    try:
        return ujson.dumps(value, escape_forward_slashes=False)
    except (TypeError, ValueError, OverflowError):
        return json.dumps(value)


def encode_request(body: Any) -> str:
    """``body`` as JSON text, with a domain that comes last in the body encoded once per domain."""
    domain = call_domain(body)
    if domain is None:
        return dumps(body)
    rest = dumps({key: value for key, value in body.items() if key != DOMAIN_KEY})
    return f"{rest[:-1]}, {json.dumps(DOMAIN_KEY)}: {_domain_text(domain)}}}"


class _DomainDigests:
    """The domain digests each action server URL said it holds (a few per URL, newest last)."""

    PER_URL = 4

    def __init__(self) -> None:
        self._held: Dict[str, List[str]] = {}

    def held(self, url: str, digest: str) -> bool:
        return digest in self._held.get(url, ())

    def remember(self, url: str, digest: str) -> None:
        digests = [d for d in self._held.get(url, []) if d != digest][-(self.PER_URL - 1) :]
        self._held[url] = [*digests, digest]

    def forget(self, url: str, digest: str) -> None:
        self._held[url] = [d for d in self._held.get(url, []) if d != digest]


class _KeptEvents:
    """The event lists each action server URL kept, per conversation, as they were sent.

    A kept list is a snapshot of the events as the call carried them (:func:`_snapshot`), so it
    cannot change with the tracker's event objects (an ``EntitiesAdded`` adds to an earlier user
    message's entities), and it is compared by value with the events of the next call (a tuple is
    not equal to a list, so a snapshot must keep Rasa's tuples): only a run of events equal to kept
    ones is named by its base, so the server rebuilds the list the call would have carried whole.
    Bounded: the least recently used conversations are dropped (their next call carries every
    event).
    """

    CONVERSATIONS = 128

    def __init__(self) -> None:
        self._held: OrderedDict[Tuple[str, str], Tuple[str, List[Any]]] = OrderedDict()

    def base(self, url: str, sender: str, events: List[Any]) -> Optional[Tuple[str, int, int, List[Any]]]:
        """``(token, start, count, kept)``: the longest run of ``events``' first ones kept for this
        conversation (``kept[start:start + count]``), or None."""
        held = self._held.get((url, sender))
        if held is None or not events:
            return None
        token, kept = held
        first = events[0]
        start = next((index for index, event in enumerate(kept) if event == first), None)
        if start is None:
            return None
        count, most = 1, min(len(kept) - start, len(events))
        while count < most and kept[start + count] == events[count]:
            count += 1
        return token, start, count, kept

    def remember(self, url: str, sender: str, token: str, kept: List[Any]) -> None:
        self._held[(url, sender)] = (token, kept)
        self._held.move_to_end((url, sender))
        while len(self._held) > self.CONVERSATIONS:
            self._held.popitem(last=False)

    def forget(self, url: str, sender: str) -> None:
        self._held.pop((url, sender), None)


def _snapshot(events: List[Any]) -> Optional[List[Any]]:
    """A copy of ``events`` nothing else holds, with the same types (tuples stay tuples), or None.

    ``pickle`` copies the values an event's ``as_dict`` is made of at C speed, each as its own type
    (the classifier's ``numpy`` strings and floats stay what they are: ``marshal`` would turn them
    into bytes); what cannot be pickled is refused and the conversation's events are then sent
    whole next time.
    """
    try:
        copied = pickle.loads(pickle.dumps(events, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301 (ours)
    except (pickle.PicklingError, TypeError, ValueError, AttributeError, RecursionError):
        return None
    return copied if isinstance(copied, list) else None


class _Call:
    """One request through the kept session; for an action call, the domain and the events it need not carry.

    An action call (a body whose last key is the domain) names its domain's digest and offers its
    events to be kept under a fresh token; it omits the domain when the server holds it and the
    events the server holds, named by their base (:mod:`core.action_protocol`). A 409 saying the
    server lacks either is answered by the same call again with it.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        digests: _DomainDigests,
        kept_events: _KeptEvents,
        method: str,
        url: Any,
        kwargs: Any,
    ) -> None:
        self.session, self.digests, self.kept_events = session, digests, kept_events
        self.method, self.url, self.kwargs = method, url, kwargs
        self.response: Optional[aiohttp.ClientResponse] = None

    async def __aenter__(self) -> aiohttp.ClientResponse:
        self.response = await self._send()
        return self.response

    async def __aexit__(self, *_: Any) -> None:
        if self.response is not None:
            self.response.release()

    async def _send(self) -> aiohttp.ClientResponse:
        kwargs = dict(self.kwargs)
        body = kwargs.get("json")
        domain = call_domain(body)
        if domain is None or kwargs.get("compress"):
            return await self.session.request(self.method, self.url, **kwargs)
        assert isinstance(body, dict)  # call_domain found the domain in it
        digest, url = _encoded(domain)[1], str(self.url)
        with_domain = not self.digests.held(url, digest)
        sender, events = _call_events(body)
        token = secrets.token_hex(16) if sender is not None else None
        base = self.kept_events.base(url, sender, events) if sender is not None else None
        while True:
            headers = {**(kwargs.get("headers") or {}), DOMAIN_HEADER: digest}
            sent = body if with_domain else {key: value for key, value in body.items() if key != DOMAIN_KEY}
            if token is not None:
                headers[EVENTS_HEADER] = token
            if base is not None:
                headers[EVENTS_BASE_HEADER] = f"{base[0]} {base[1]} {base[2]}"
                sent = {**sent, "tracker": {**body["tracker"], "events": events[base[2] :]}}
            response = await self.session.request(
                self.method, self.url, **{**kwargs, "json": sent, "headers": headers}
            )
            if response.status != 409:
                break
            if not with_domain and response.headers.get(DOMAIN_KEPT_HEADER) == DOMAIN_UNKNOWN:
                self.digests.forget(url, digest)  # the action server lost it (a restart, another replica)
                with_domain = True
            elif base is not None and response.headers.get(EVENTS_KEPT_HEADER) == EVENTS_UNKNOWN:
                assert sender is not None
                self.kept_events.forget(url, sender)
                base = None
            else:
                break
            response.release()
        if response.headers.get(DOMAIN_KEPT_HEADER) == digest:
            self.digests.remember(url, digest)
        if token is not None and response.headers.get(EVENTS_KEPT_HEADER) == token:
            assert sender is not None
            self._remember_events(url, sender, token, events, base)
        return response

    def _remember_events(
        self,
        url: str,
        sender: str,
        token: str,
        events: List[Any],
        base: Optional[Tuple[str, int, int, List[Any]]],
    ) -> None:
        """What the server keeps under ``token``: the base's kept events, then a snapshot of the rest."""
        if base is None:
            kept = _snapshot(events)
        else:
            _, start, count, held = base
            rest = _snapshot(events[count:])
            kept = None if rest is None else [*held[start : start + count], *rest]
        if kept is None:
            self.kept_events.forget(url, sender)
        else:
            self.kept_events.remember(url, sender, token, kept)


def _call_events(body: Dict[str, Any]) -> Tuple[Optional[str], List[Any]]:
    """The conversation and the events of an action call, or ``(None, [])`` if it has no list of them."""
    sender, tracker = body.get("sender_id"), body.get("tracker")
    events = tracker.get("events") if isinstance(tracker, dict) else None
    if not isinstance(sender, str) or not isinstance(events, list):
        return None, []
    return sender, events


class _DigestSession:
    """What Rasa's ``request`` uses as its session: ``request`` sends calls through :class:`_Call`."""

    def __init__(
        self, session: aiohttp.ClientSession, digests: _DomainDigests, kept_events: _KeptEvents
    ) -> None:
        self.session, self.digests, self.kept_events = session, digests, kept_events

    def request(self, method: str, url: Any, **kwargs: Any) -> _Call:
        return _Call(self.session, self.digests, self.kept_events, method, url, kwargs)


class _KeptSession:
    """``async with`` yields the kept session and leaves it open (Rasa's ``request`` closes its own)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> _DigestSession:
        digests = _digests.get(self.session)
        if digests is None:
            digests = _digests[self.session] = _DomainDigests()
        kept_events = _kept_events.get(self.session)
        if kept_events is None:
            kept_events = _kept_events[self.session] = _KeptEvents()
        return _DigestSession(self.session, digests, kept_events)

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


__all__ = [
    "call_domain",
    "close_sessions",
    "encode_request",
    "install",
    "kept_session",
    "uninstall",
]
