"""Who may use the agent console: the console token, as a bearer header or a signed login cookie.

API clients send ``Authorization: Bearer <AGENT_CONSOLE_TOKEN>`` and name the agent in
``X-Agent-Name``. People sign in on the console page with their name and a secret: their own
password once agent accounts exist (``python -m store agents add NAME``, see
:mod:`store.agents`), the console token while there are none. The cookie holds the name and an
HMAC of it keyed by the token, so it cannot be forged and stops working when the token changes;
a cookie of a disabled (or, once accounts exist, unknown) agent is refused at the next request.
Cookie-authenticated writes must carry ``X-Requested-With: console``, which a cross-site form
cannot send (the cookie is also ``SameSite=Strict``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Optional

from sanic.request import Request
from sqlalchemy.orm import Session

from store import agents

COOKIE_NAME = "storefront_agent"
CSRF_HEADER = "x-requested-with"
CSRF_VALUE = "console"
MAX_AGENT_NAME = 60


@dataclass(frozen=True)
class AgentIdentity:
    """An authenticated console user; ``name`` is empty for a bearer client that gave none."""

    name: str
    via_cookie: bool


def clean_agent_name(raw: Optional[str]) -> str:
    """A printable, trimmed agent name (empty when unusable)."""
    name = " ".join((raw or "").split())
    if not name or len(name) > MAX_AGENT_NAME or not name.isprintable():
        return ""
    return name


def _signature(token: str, name: str) -> str:
    return hmac.new(token.encode(), f"agent:{name}".encode(), hashlib.sha256).hexdigest()


def session_cookie(token: str, name: str) -> str:
    """The cookie value that signs ``name`` in."""
    encoded = base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")
    return f"{encoded}.{_signature(token, name)}"


def _cookie_agent(token: str, value: Optional[str]) -> Optional[str]:
    if not value or "." not in value:
        return None
    encoded, signature = value.rsplit(".", 1)
    try:
        name = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(signature, _signature(token, name)):
        return None
    return clean_agent_name(name) or None


def token_matches(token: str, offered: Optional[str]) -> bool:
    """Constant-time comparison; an unset console token never matches."""
    return bool(token) and offered is not None and hmac.compare_digest(token.encode(), offered.encode())


def authenticate(request: Request, token: str) -> Optional[AgentIdentity]:
    """The agent behind ``request``, or None when it carries no valid credential."""
    header = request.headers.get("authorization") or ""
    if header.lower().startswith("bearer "):
        if token_matches(token, header[7:].strip()):
            return AgentIdentity(name=clean_agent_name(request.headers.get("x-agent-name")), via_cookie=False)
        return None
    name = _cookie_agent(token, request.cookies.get(COOKIE_NAME))
    if name is None:
        return None
    return AgentIdentity(name=name, via_cookie=True)


def csrf_ok(request: Request, identity: AgentIdentity) -> bool:
    """Writes with a cookie need the console's header; bearer clients are not exposed to CSRF."""
    return not identity.via_cookie or request.headers.get(CSRF_HEADER) == CSRF_VALUE


def sign_in(session: Session, token: str, name: str, secret: Optional[str]) -> Optional[str]:
    """The name to sign in as, or None: an account's password, or the token while none exist."""
    if not name:
        return None
    if agents.accounts_exist(session):
        return agents.sign_in(session, name, secret or "")
    return name if token_matches(token, secret) else None


def cookie_still_valid(session: Session, identity: AgentIdentity) -> bool:
    """A cookie's agent may still act (bearer clients hold the token itself and always may)."""
    return not identity.via_cookie or agents.may_act(session, identity.name)
