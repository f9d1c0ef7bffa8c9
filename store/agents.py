"""Agent console accounts: one name and password per person (``python -m store agents ...``).

Passwords are stored as scrypt hashes (``hashlib.scrypt``, random 16-byte salt); a new account
gets a random password that is shown once. While no account exists, the console's shared token
signs people in; once one exists, only accounts do. Every sign-in opens a server-side session
(:mod:`store.agent_sessions`); disabling an account or resetting its password ends all of its
sessions at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Iterable, List, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from store.agent_sessions import (
    LoginLimits,
    SessionPolicy,
    forget_login_failures,
    login_retry_after,
    open_session,
    record_login_failure,
    revoke_agent_sessions,
)
from store.models import Agent

_N, _R, _P = 2**14, 8, 1
MAX_NAME = 60
MIN_PASSWORD = 10


class AgentError(ValueError):
    """An account operation that cannot be done; the message is for the operator."""


@dataclass(frozen=True)
class SignInAttempt:
    """The outcome of :func:`attempt_sign_in`: a session, a refusal, or a throttle."""

    agent: Optional[str] = None
    token: Optional[str] = None
    retry_after: Optional[int] = None  # seconds; set when the attempt was throttled


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


def add_agent(
    session: Session, name: str, password: Optional[str] = None, *, reserved: Iterable[str] = ()
) -> str:
    """Create an active account; returns its password (generated when not given).

    ``reserved`` names are refused (the console's API clients act as ``AGENT_API_NAME``, so a
    person by that name could be mistaken for them).
    """
    cleaned = _clean(name)
    if cleaned.lower() in {r.lower() for r in reserved}:
        raise AgentError(f"{cleaned!r} is reserved for the console's API clients (AGENT_API_NAME)")
    existing = _find(session, cleaned)
    if existing is not None:
        raise AgentError(f"an agent named {existing.name!r} already exists")
    password = _new_password(password)
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


def _new_password(given: Optional[str]) -> str:
    password = given if given is not None else secrets.token_urlsafe(12)
    if len(password) < MIN_PASSWORD:
        raise AgentError(f"a password needs at least {MIN_PASSWORD} characters")
    return password


def _account(session: Session, name: str) -> Agent:
    agent = _find(session, name)
    if agent is None:
        raise AgentError(f"no agent named {name!r}")
    return agent


def set_active(session: Session, name: str, active: bool, *, now: Optional[datetime] = None) -> None:
    """Enable or disable an account; disabling ends every session of that agent at once."""
    agent = _account(session, name)
    agent.active = active
    if not active:
        revoke_agent_sessions(session, agent.name, now=now)


def reset_password(
    session: Session, name: str, password: Optional[str] = None, *, now: Optional[datetime] = None
) -> str:
    """Give an account a new password (generated when not given) and end all its sessions.

    The agent's failed sign-ins are forgotten too, so the person can sign in with it at once.
    """
    agent = _account(session, name)
    password = _new_password(password)
    agent.password_hash = hash_password(password)
    revoke_agent_sessions(session, agent.name, now=now)
    forget_login_failures(session, agent.name)
    return password


def list_agents(session: Session) -> List[AgentAccount]:
    """Every account, by name."""
    rows = session.execute(select(Agent).order_by(Agent.name)).scalars()
    return [AgentAccount(a.name, a.active, a.created_at) for a in rows]


def accounts_exist(session: Session) -> bool:
    """Whether any account was ever created (then the shared token no longer signs people in)."""
    return session.execute(select(func.count(Agent.id))).scalar_one() > 0


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return hash_password(secrets.token_urlsafe(12))


def sign_in(session: Session, name: str, password: str) -> Optional[str]:
    """The account's name when ``password`` is right and the account active, else None.

    An unknown name costs the same scrypt work as a known one, so timing does not tell them apart.
    """
    try:
        agent = _find(session, name)
    except AgentError:
        agent = None
    if agent is None:
        password_matches(_decoy_hash(), password or "")
        return None
    if not password_matches(agent.password_hash, password or "") or not agent.active:
        return None
    return str(agent.name)


def attempt_sign_in(
    session: Session,
    name: str,
    password: str,
    *,
    client: str,
    bootstrap_secret: str = "",
    now: Optional[datetime] = None,
    policy: SessionPolicy = SessionPolicy(),
    limits: LoginLimits = LoginLimits(),
) -> SignInAttempt:
    """Check a sign-in and open a session, or count the failure, or refuse it as throttled.

    While no account exists, ``bootstrap_secret`` (the console's shared token) signs in any name;
    after that only an account's own password does. A throttled attempt checks no password and
    is not counted, so the wait it is told stays true.
    """
    name = " ".join((name or "").split())[:MAX_NAME]
    wait = login_retry_after(session, name, client, now=now, limits=limits)
    if wait is not None:
        return SignInAttempt(retry_after=wait)
    agent: Optional[str] = None
    bootstrap = not accounts_exist(session)
    if name and bootstrap:
        if bootstrap_secret and hmac.compare_digest(bootstrap_secret.encode(), (password or "").encode()):
            agent = name
    elif name:
        agent = sign_in(session, name, password)
    if agent is None:
        record_login_failure(session, name, client, now=now)
        return SignInAttempt()
    forget_login_failures(session, name)
    token = open_session(session, agent, bootstrap=bootstrap, now=now, policy=policy)
    return SignInAttempt(agent=agent, token=token)
