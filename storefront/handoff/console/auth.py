"""Who is using the console: a person's server-side session, or an API client's bearer token.

* People sign in on the page (:mod:`storefront.handoff.console.pages`) and get a cookie holding a
  random session token; :mod:`store.agent_sessions` keeps its hash and decides at every request
  whether the session still stands (logout, idle and absolute expiry, a disabled account or a
  password reset end it). The cookie is ``HttpOnly``, ``SameSite=Strict``, limited to the console's
  path, and ``Secure`` when the request came over HTTPS.
* API clients send ``Authorization: Bearer <AGENT_CONSOLE_TOKEN>`` and act under one name,
  ``AGENT_API_NAME`` (``integration``): the token is an integration's identity, not a way to act
  as a person, so an ``X-Agent-Name`` naming anyone else is refused with 403.

Cookie-authenticated writes must carry ``X-Requested-With: console``, which a cross-site form
cannot send (the cookie's ``SameSite=Strict`` already keeps it off cross-site requests).
"""

from __future__ import annotations

import functools
import hmac
from dataclasses import dataclass
from typing import Any, Callable, Optional

from sanic.request import Request
from sanic.response import HTTPResponse

from store.agent_sessions import session_agent
from storefront.handoff.console.config import ConsoleConfig, config_of
from storefront.handoff.console.responses import ConsoleError, Handler, error
from storefront.handoff.console.runner import run_store

COOKIE_NAME = "storefront_agent"
COOKIE_PATH = "/webhooks/agent_console"
CSRF_HEADER = "x-requested-with"
CSRF_VALUE = "console"
MAX_AGENT_NAME = 60


@dataclass(frozen=True)
class AgentIdentity:
    """An authenticated console user: a signed-in person (with a session) or the API client."""

    name: str
    session_token: Optional[str] = None

    @property
    def via_cookie(self) -> bool:
        return self.session_token is not None


def clean_agent_name(raw: Optional[str]) -> str:
    """A printable, trimmed agent name (empty when unusable)."""
    name = " ".join((raw or "").split())
    if not name or len(name) > MAX_AGENT_NAME or not name.isprintable():
        return ""
    return name


def token_matches(token: str, offered: Optional[str]) -> bool:
    """Constant-time comparison; an unset console token never matches."""
    return bool(token) and offered is not None and hmac.compare_digest(token.encode(), offered.encode())


def _bearer(request: Request, config: ConsoleConfig, offered: str) -> Optional[AgentIdentity]:
    if not token_matches(config.token, offered):
        return None
    claimed = request.headers.get("x-agent-name")
    if claimed is not None and clean_agent_name(claimed).casefold() != config.api_name.casefold():
        raise ConsoleError(
            403,
            f"The console token acts as {config.api_name!r} and cannot act as another agent; "
            "people sign in to the console with their own password.",
        )
    return AgentIdentity(name=config.api_name)


async def authenticate(request: Request) -> Optional[AgentIdentity]:
    """The agent behind ``request``, or None without a valid credential.

    Raises:
        ConsoleError: 403 for a valid bearer token that names another agent.
    """
    config = config_of(request)
    header = request.headers.get("authorization") or ""
    if header.lower().startswith("bearer "):
        return _bearer(request, config, header[7:].strip())
    token = request.cookies.get(COOKIE_NAME)
    if not token:
        return None
    name = await run_store(session_agent, token=token, policy=config.sessions)
    return AgentIdentity(name=name, session_token=token) if name else None


def csrf_ok(request: Request, identity: AgentIdentity) -> bool:
    """Writes with a cookie need the console's header; bearer clients are not exposed to CSRF."""
    return not identity.via_cookie or request.headers.get(CSRF_HEADER) == CSRF_VALUE


def requires_agent(*, write: bool = False) -> Callable[[Handler], Handler]:
    """Authenticate the request and pass the :class:`AgentIdentity` after ``request``.

    Without a valid credential the answer is a JSON 401; a cookie write without the console's
    header is a 403 (``write=True``).
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def authenticated(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            try:
                identity = await authenticate(request)
            except ConsoleError as refused:
                return error(refused.status_code, refused.message)
            if identity is None:
                return error(401, "Sign in to the agent console (Authorization: Bearer <token>).")
            if write and not csrf_ok(request, identity):
                return error(403, "Missing the X-Requested-With: console header.")
            return await handler(request, identity, *args, **kwargs)

        return authenticated

    return decorate


def is_https(request: Request) -> bool:
    """Whether the browser reached us over HTTPS (directly, or through a trusted proxy)."""
    if request.scheme == "https":
        return True
    if not config_of(request).trust_forwarded_proto:
        return False
    forwarded = request.headers.get("x-forwarded-proto") or ""
    return forwarded.split(",")[0].strip().lower() == "https"


def client_address(request: Request) -> str:
    """The client's address for sign-in throttling (Sanic's proxy settings decide on proxies)."""
    return str(request.remote_addr or request.ip or "unknown")


def set_session_cookie(request: Request, reply: HTTPResponse, token: str) -> None:
    """Put the session token in a cookie that lives as long as the session can."""
    lifetime = int(config_of(request).sessions.lifetime.total_seconds())
    _cookie(request, reply, token, max_age=lifetime)


def clear_session_cookie(request: Request, reply: HTTPResponse) -> None:
    """Tell the browser to drop the session cookie."""
    _cookie(request, reply, "", max_age=0)


def _cookie(request: Request, reply: HTTPResponse, value: str, *, max_age: int) -> None:
    reply.cookies[COOKIE_NAME] = value
    morsel = reply.cookies[COOKIE_NAME]
    morsel["httponly"] = True
    morsel["samesite"] = "Strict"
    morsel["path"] = COOKIE_PATH
    morsel["max-age"] = max_age
    if is_https(request):
        morsel["secure"] = True
