"""Agent console accounts: one name and password per person (``python -m store agents ...``).

Passwords are stored as scrypt hashes (``hashlib.scrypt``, random 16-byte salt); a new account
gets a random password that is shown once. While no account exists, the console's shared token
signs people in; once one exists, only accounts do (see ``storefront/handoff/auth.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from store.models import Agent

_N, _R, _P = 2**14, 8, 1
MAX_NAME = 60


class AgentError(ValueError):
    """An account operation that cannot be done; the message is for the operator."""


@dataclass(frozen=True)
class AgentAccount:
    """What the CLI lists."""

    name: str
    active: bool
    created_at: datetime


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (hex) for ``password``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def password_matches(stored: str, password: str) -> bool:
    """Constant-time check of ``password`` against a :func:`hash_password` value."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    except ValueError:
        return False
    return hmac.compare_digest(computed.hex(), digest)


def _clean(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned or len(cleaned) > MAX_NAME or not cleaned.isprintable():
        raise AgentError(f"an agent name is 1 to {MAX_NAME} printable characters, got {name!r}")
    return cleaned


def _find(session: Session, name: str) -> Optional[Agent]:
    return session.execute(
        select(Agent).where(func.lower(Agent.name) == _clean(name).lower())
    ).scalar_one_or_none()


def add_agent(session: Session, name: str, password: Optional[str] = None) -> str:
    """Create an active account; returns its password (generated when not given)."""
    cleaned = _clean(name)
    existing = _find(session, cleaned)
    if existing is not None:
        raise AgentError(f"an agent named {existing.name!r} already exists")
    password = password if password is not None else secrets.token_urlsafe(12)
    if len(password) < 10:
        raise AgentError("a password needs at least 10 characters")
    session.add(
        Agent(
            name=cleaned,
            password_hash=hash_password(password),
            active=True,
            created_at=clock.now(),
        )
    )
    session.flush()
    return password


def set_active(session: Session, name: str, active: bool) -> None:
    """Enable or disable an account (a disabled agent is signed out at their next request)."""
    agent = _find(session, name)
    if agent is None:
        raise AgentError(f"no agent named {name!r}")
    agent.active = active


def list_agents(session: Session) -> List[AgentAccount]:
    """Every account, by name."""
    rows = session.execute(select(Agent).order_by(Agent.name)).scalars()
    return [AgentAccount(a.name, a.active, a.created_at) for a in rows]


def accounts_exist(session: Session) -> bool:
    """Whether any account was ever created (then the shared token no longer signs people in)."""
    return session.execute(select(func.count(Agent.id))).scalar_one() > 0


def sign_in(session: Session, name: str, password: str) -> Optional[str]:
    """The account's name when ``password`` is right and the account active, else None."""
    try:
        agent = _find(session, name)
    except AgentError:
        return None
    if agent is None or not agent.active or not password_matches(agent.password_hash, password or ""):
        return None
    return str(agent.name)


def may_act(session: Session, name: str) -> bool:
    """Whether a signed-in ``name`` may still use the console: no accounts, or an active one."""
    if not accounts_exist(session):
        return True
    try:
        agent = _find(session, name)
    except AgentError:
        return False
    return agent is not None and bool(agent.active)
