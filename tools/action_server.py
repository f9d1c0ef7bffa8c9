"""The action server: rasa-sdk's app behind a shared secret, on loopback, with redacted logs.

``rasa run actions`` (rasa-sdk 3.6) listens on every interface and runs any tracker anyone posts,
so a hand-made request could read a shopper's orders. This entry point builds the same Sanic app
(:func:`rasa_sdk.endpoint.create_app`) and adds what it lacks:

- it listens on ``ACTION_HOST`` (default 127.0.0.1);
- every request except ``GET /health`` must carry ``Authorization: Bearer $ACTION_SERVER_TOKEN``
  (the Rasa server sends it, see ``endpoints.yml``), compared in constant time, or gets 401;
- emails, phone numbers and addresses are redacted from its logs (:mod:`core.redact`);
- it keeps the domains the Rasa server sends, so later calls can name theirs by digest instead of
  carrying 60 KB of JSON (:class:`KeptDomains`, :mod:`core.action_protocol`);
- it keeps each conversation's latest event lists, so later calls carry only the new events
  (:class:`KeptEvents`) instead of the whole window (about 50 KB).

It lives outside ``actions/`` because rasa-sdk imports every module of that package.
Run it with ``python -m tools.action_server`` (``make actions``; ``make run`` starts it too).
"""

from __future__ import annotations

import argparse
import copy
import hmac
import logging
import os
import re
import sys
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List, MutableMapping, Optional, Tuple

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from core import redact
from core.action_protocol import (
    DIGEST,
    DOMAIN_HEADER,
    DOMAIN_KEPT_HEADER,
    DOMAIN_UNKNOWN,
    EVENTS_BASE_HEADER,
    EVENTS_HEADER,
    EVENTS_KEPT_HEADER,
    EVENTS_UNKNOWN,
    TOKEN,
)
from core.settings import ENV_FILE, Settings, SettingsError, load_settings

logger = logging.getLogger(__name__)

OPEN_ROUTES = frozenset({("GET", "/health")})
"""Answered without the secret: the launcher's health check, which says only ``{"status": "ok"}``."""

LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s  - %(message)s"

Middleware = Callable[[Request], Awaitable[Optional[HTTPResponse]]]


def bearer_token_required(expected: str) -> Middleware:
    """Request middleware answering 401 unless the request carries ``Bearer <expected>``."""
    if not expected:
        raise ValueError("the action server's shared secret is empty")
    wanted = f"Bearer {expected}".encode()

    async def check(request: Request) -> Optional[HTTPResponse]:
        if (request.method, request.path) in OPEN_ROUTES:
            return None
        given = request.headers.get("Authorization", "").encode()
        if hmac.compare_digest(given, wanted):
            return None
        return response.json({"error": "unauthorized"}, status=401)

    return check


WEBHOOK = ("POST", "/webhook")

SHARED_DOMAIN = (
    "what the action server keeps (the domain, a conversation's events) is shared by every call that"
    " names it: an action may read it, not change it"
)


def _refuse(*_: Any, **__: Any) -> Any:
    raise TypeError(SHARED_DOMAIN)


class FrozenDict(dict):  # type: ignore[type-arg]
    """A dict whose contents cannot change (every method that would change it raises TypeError).

    Still a ``dict`` to rasa-sdk and the actions (``isinstance``, ``get``, ``==``, JSON); a copy
    (``copy.copy``, ``copy.deepcopy``, ``dict(...)``) is an ordinary dict the caller may change.
    """

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse

    def __copy__(self) -> Dict[Any, Any]:
        return dict(self)

    def __deepcopy__(self, memo: Dict[int, Any]) -> Dict[Any, Any]:
        return {key: copy.deepcopy(value, memo) for key, value in self.items()}


class FrozenList(list):  # type: ignore[type-arg]
    """A list whose contents cannot change; equal to the list with the same items."""

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = remove = pop = clear = sort = reverse = _refuse

    def __copy__(self) -> List[Any]:
        return list(self)

    def __deepcopy__(self, memo: Dict[int, Any]) -> List[Any]:
        return [copy.deepcopy(value, memo) for value in self]


def frozen(value: Any) -> Any:
    """``value`` with its dicts and lists made unchangeable (:class:`FrozenDict`, :class:`FrozenList`)."""
    if isinstance(value, dict):
        frozen_dict = FrozenDict()
        for key, item in value.items():
            dict.__setitem__(frozen_dict, key, frozen(item))
        return frozen_dict
    if isinstance(value, list):
        return FrozenList(frozen(item) for item in value)
    return value


def _named_webhook_call(
    request: Request, header: str, pattern: re.Pattern[str]
) -> Optional[Tuple[str, Dict[str, Any]]]:
    """``(the header's value, the JSON body)`` of an uncompressed call to the webhook whose ``header``
    matches ``pattern``, or None: anything else is rasa-sdk's to answer as it would."""
    value = request.headers.get(header, "")
    if (
        (request.method, request.path) != WEBHOOK
        or not pattern.fullmatch(value)
        or request.headers.get("Content-Encoding")
    ):
        return None
    body = request.json  # unreadable JSON: Sanic's 400, as before
    return (value, body) if isinstance(body, dict) else None


class KeptDomains:
    """The latest domains the Rasa server sent, by digest, put back into calls that name them.

    A request middleware (after the shared-secret check): a call to the webhook whose
    ``X-Storefront-Domain`` header names a digest and whose JSON body carries a ``domain`` has that
    domain kept under the digest; a call that names a digest but carries no domain gets the kept
    one put in its body before rasa-sdk reads it, or a 409 (``X-Storefront-Domain-Kept: unknown``)
    when none is kept, so the Rasa server sends it again with the domain. A response to a call
    whose domain is kept says ``X-Storefront-Domain-Kept: <digest>``. Calls without the header
    (rasa-sdk's protocol) and compressed calls are left alone.

    Only a caller with the shared secret gets here, and it is the one that computes the digests.
    Every call with that digest is given the same domain, made unchangeable (:func:`frozen`): an
    action that tried to change it would fail at once instead of changing other calls' domain.
    """

    def __init__(self, capacity: int = 4) -> None:
        self.capacity = capacity
        self._domains: OrderedDict[str, Dict[str, Any]] = OrderedDict()

    def get(self, digest: str) -> Optional[Dict[str, Any]]:
        domain = self._domains.get(digest)
        if domain is not None:
            self._domains.move_to_end(digest)
        return domain

    def keep(self, digest: str, domain: Dict[str, Any]) -> None:
        self._domains[digest] = domain
        self._domains.move_to_end(digest)
        while len(self._domains) > self.capacity:
            self._domains.popitem(last=False)

    async def on_request(self, request: Request) -> Optional[HTTPResponse]:
        named = _named_webhook_call(request, DOMAIN_HEADER, DIGEST)
        if named is None:
            return None
        digest, body = named
        sent = body.get("domain")
        if isinstance(sent, dict):
            kept = self.get(digest)
            if kept is None:
                kept = frozen(sent)
                self.keep(digest, kept)
            body["domain"] = kept
        elif "domain" not in body:
            kept = self.get(digest)
            if kept is None:
                return response.json(
                    {"error": "this action server does not hold that domain: send it"},
                    status=409,
                    headers={DOMAIN_KEPT_HEADER: DOMAIN_UNKNOWN},
                )
            body["domain"] = kept
        else:
            return None
        request.ctx.kept_domain = digest
        return None

    async def on_response(self, request: Request, answer: HTTPResponse) -> None:
        digest = getattr(request.ctx, "kept_domain", None)
        if digest is not None:
            answer.headers[DOMAIN_KEPT_HEADER] = digest


class KeptEvents:
    """The event lists of the latest calls, per conversation, put back in front of calls that name them.

    A request middleware after :class:`KeptDomains`: a call to the webhook with a token in
    ``X-Storefront-Events`` has its tracker's event list kept under that token (a few per
    conversation, for the Rasa server's several worker processes; the least recently used
    conversations are dropped). A call that also names ``X-Storefront-Events-Base: <token> <start>
    <count>`` carries only the events after ``kept[start:start + count]`` of that conversation's
    list, and gets them put back in front before rasa-sdk reads the body, or a 409
    (``X-Storefront-Events-Kept: unknown``) when the base is not held, so the Rasa server sends
    every event. The response says ``X-Storefront-Events-Kept: <token>``.

    A token names a list only within its conversation (the call's ``sender_id``). The kept events
    are shared by later calls, so each is made unchangeable (:func:`frozen`); an action gets a list
    of its own holding them, as rasa-sdk would give it.
    """

    def __init__(self, conversations: int = 256, per_conversation: int = 4) -> None:
        self.conversations, self.per_conversation = conversations, per_conversation
        self._lists: OrderedDict[str, OrderedDict[str, List[Any]]] = OrderedDict()

    def get(self, sender: str, token: str) -> Optional[List[Any]]:
        lists = self._lists.get(sender)
        return None if lists is None else lists.get(token)

    def keep(self, sender: str, token: str, events: List[Any]) -> None:
        lists = self._lists.get(sender)
        if lists is None:
            lists = self._lists[sender] = OrderedDict()
        self._lists.move_to_end(sender)
        lists[token] = events
        while len(lists) > self.per_conversation:
            lists.popitem(last=False)
        while len(self._lists) > self.conversations:
            self._lists.popitem(last=False)

    def _base(self, sender: str, named: str) -> Optional[List[Any]]:
        """The kept events ``<token> <start> <count>`` names in this conversation, or None."""
        parts = named.split(" ")
        if len(parts) != 3 or not TOKEN.fullmatch(parts[0]) or not all(p.isdigit() for p in parts[1:]):
            return None
        kept = self.get(sender, parts[0])
        start, count = int(parts[1]), int(parts[2])
        if kept is None or start + count > len(kept):
            return None
        return kept[start : start + count]

    def receive(
        self, sender: str, token: str, named: Optional[str], events: List[Any]
    ) -> Optional[List[Any]]:
        """The call's whole event list, kept under ``token``: ``events`` after the base ``named``
        (``<token> <start> <count>``, or None for none), or None when that base is not held."""
        if named is None:
            kept = [frozen(event) for event in events]
        else:
            base = self._base(sender, named)
            if base is None:
                return None
            kept = [*base, *(frozen(event) for event in events)]
        self.keep(sender, token, kept)
        return list(kept)

    async def on_request(self, request: Request) -> Optional[HTTPResponse]:
        named = _named_webhook_call(request, EVENTS_HEADER, TOKEN)
        if named is None:
            return None
        token, body = named
        tracker, sender = body.get("tracker"), body.get("sender_id")
        if (
            not isinstance(tracker, dict)
            or not isinstance(tracker.get("events"), list)
            or not isinstance(sender, str)
        ):
            return None
        events = tracker["events"]
        kept = self.receive(sender, token, request.headers.get(EVENTS_BASE_HEADER), events)
        if kept is None:
            return response.json(
                {"error": "this action server does not hold those events: send them all"},
                status=409,
                headers={EVENTS_KEPT_HEADER: EVENTS_UNKNOWN},
            )
        tracker["events"] = kept
        request.ctx.kept_events = token
        return None

    async def on_response(self, request: Request, answer: HTTPResponse) -> None:
        token = getattr(request.ctx, "kept_events", None)
        if token is not None:
            answer.headers[EVENTS_KEPT_HEADER] = token


async def _http_error(_request: Request, error: SanicException) -> HTTPResponse:
    # rasa-sdk's catch-all handler turns routing errors (404, 405) and unreadable JSON into a 500
    # that echoes the request body; keep their own status and say nothing else.
    return response.json({"error": str(error)}, status=error.status_code)


def create_app(token: str, actions_package: str = "actions") -> Sanic:
    """rasa-sdk's action server app with the shared-secret check in front of every route."""
    from rasa_sdk.endpoint import create_app as create_sdk_app

    app = create_sdk_app(actions_package, cors_origins="")
    app.register_middleware(bearer_token_required(token), "request")
    domains = KeptDomains()
    app.register_middleware(domains.on_request, "request")
    app.register_middleware(domains.on_response, "response")
    events = KeptEvents()
    app.register_middleware(events.on_request, "request")
    app.register_middleware(events.on_response, "response")
    app.error_handler.add(SanicException, _http_error)
    return app


def configure_logging(level: str) -> None:
    """Log to stdout (the launcher writes it to ``var/logs/actions.log``), redacted."""
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stdout, force=True)
    redact.install()


def server_settings(environ: MutableMapping[str, str]) -> Settings:
    """The settings this server runs with, the secrets its launcher did not pass included.

    The launcher passes every setting. Run alone (``make actions``), an unset secret is read from
    (or generated into) ``var/secrets.env``, where the Rasa server's launcher finds it too, and put
    in ``environ``: the actions read their settings from the process's environment
    (:func:`core.settings.get_settings`), so the cart links' signing secret, say, must be there.
    """
    settings = load_settings(environ, env_file=ENV_FILE, generate_secrets=True)
    environ.update({name: settings.raw[name] for name in settings.generated})
    return settings


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run the action server (rasa-sdk) with a shared secret.")
    parser.add_argument("--actions", default="actions", help="package with the actions (default: actions)")
    args = parser.parse_args(argv)
    try:
        settings = server_settings(os.environ)
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(os.environ.get("LOG_LEVEL", "INFO").upper())
    host, port = settings.action_host, settings.action_port
    app = create_app(settings.action_server_token, args.actions)
    logger.info("Action server listening on http://%s:%s (shared secret required)", host, port)
    app.run(host, port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
