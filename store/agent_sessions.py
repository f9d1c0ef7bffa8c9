"""Agent console sessions and sign-in throttling, kept server-side in the store database.

A sign-in opens a session (:class:`store.models.AgentSession`): the browser keeps a random
token, the database only its SHA-256, so a copy of the database opens no console. A session ends
on logout, after an idle timeout, after an absolute lifetime, and at once for every session of an
agent who is disabled or whose password is reset (:mod:`store.agents` calls
:func:`revoke_agent_sessions`). Failed sign-ins are rows too, so a restart forgets none of them;
they are counted per agent name and per client address.

Every function takes ``now`` (the clock seam; default: the current UTC time).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from store.models import Agent, AgentLoginFailure, AgentSession

TOKEN_BYTES = 32
MAX_CLIENT = 64


@dataclass(frozen=True)
class SessionPolicy:
    """How long a console session lasts: ``idle`` without a request, ``lifetime`` at most."""

    idle: timedelta = timedelta(minutes=60)
    lifetime: timedelta = timedelta(hours=12)
    # last-seen is written at most this often, so the console's polling is not a write per request
    touch_every: timedelta = timedelta(minutes=1)


@dataclass(frozen=True)
class LoginLimits:
    """Failed sign-ins allowed within ``window``, per agent name and per client address.

    The address limit is higher: several agents behind one office router share an address.
    """

    per_name: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


def _now(now: Optional[datetime]) -> datetime:
    return now if now is not None else datetime.now(timezone.utc)


def token_hash(token: str) -> str:
    """What the database keeps of a session token (SHA-256 hex; the token has 256 random bits)."""
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    session: Session,
    agent: str,
    *,
    bootstrap: bool = False,
    now: Optional[datetime] = None,
    policy: SessionPolicy = SessionPolicy(),
) -> str:
    """Start a session for ``agent``; returns the token for the cookie (stored nowhere)."""
    now = _now(now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        AgentSession(
            token_hash=token_hash(token), agent=agent, bootstrap=bootstrap,
            created_at=now, last_seen_at=now, expires_at=now + policy.lifetime,
        )
    )  # fmt: skip
    session.flush()
    return token


def _account_active(session: Session, name: str) -> bool:
    active = session.execute(
        select(Agent.active).where(func.lower(Agent.name) == name.lower())
    ).scalar_one_or_none()
    return bool(active)


def _accounts_exist(session: Session) -> bool:
    return session.execute(select(func.count(Agent.id))).scalar_one() > 0


def session_agent(
    session: Session,
    token: Optional[str],
    *,
    now: Optional[datetime] = None,
    policy: SessionPolicy = SessionPolicy(),
) -> Optional[str]:
    """The agent signed in by ``token``, or None when the session is unknown or over.

    Over means revoked, past its absolute expiry, unused for ``policy.idle``, opened with the
    shared token although accounts exist now, or belonging to an account that is not active.
    A valid session's last-seen time moves forward (at most once per ``policy.touch_every``).
    """
    if not token:
        return None
    now = _now(now)
    row = session.execute(
        select(AgentSession).where(AgentSession.token_hash == token_hash(token))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    if now >= row.expires_at or now - row.last_seen_at >= policy.idle:
        return None
    allowed = not _accounts_exist(session) if row.bootstrap else _account_active(session, row.agent)
    if not allowed:
        return None
    if now - row.last_seen_at >= policy.touch_every:
        row.last_seen_at = now
    return str(row.agent)


def revoke_session(session: Session, token: Optional[str], *, now: Optional[datetime] = None) -> None:
    """End the session of ``token`` (logout); an unknown or ended session is left alone."""
    if token:
        session.execute(
            update(AgentSession)
            .where(AgentSession.token_hash == token_hash(token), AgentSession.revoked_at.is_(None))
            .values(revoked_at=_now(now))
        )


def revoke_agent_sessions(session: Session, name: str, *, now: Optional[datetime] = None) -> int:
    """End every open session of the agent called ``name``; returns how many were open."""
    result = session.execute(
        update(AgentSession)
        .where(func.lower(AgentSession.agent) == name.lower(), AgentSession.revoked_at.is_(None))
        .values(revoked_at=_now(now))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def _failure_times(session: Session, column: object, value: str, since: datetime) -> List[datetime]:
    return list(
        session.execute(
            select(AgentLoginFailure.at)
            .where(column == value, AgentLoginFailure.at > since)  # type: ignore[operator]
            .order_by(AgentLoginFailure.at)
        ).scalars()
    )


def login_retry_after(
    session: Session,
    name: str,
    client: str,
    *,
    now: Optional[datetime] = None,
    limits: LoginLimits = LoginLimits(),
) -> Optional[int]:
    """Seconds until ``name`` may be tried again from ``client``; None when it may be tried now."""
    now = _now(now)
    waits = []
    for column, value, limit in (
        (AgentLoginFailure.agent_key, name.lower(), limits.per_name),
        (AgentLoginFailure.client, client[:MAX_CLIENT], limits.per_address),
    ):
        times = _failure_times(session, column, value, now - limits.window)
        if len(times) >= limit:
            # tries are allowed again once enough of these failures have left the window
            freed_at = times[len(times) - limit] + limits.window
            waits.append(max(1, int((freed_at - now).total_seconds() + 0.999)))
    return max(waits) if waits else None


def record_login_failure(session: Session, name: str, client: str, *, now: Optional[datetime] = None) -> None:
    """Count one failed sign-in for ``name`` and for ``client``."""
    session.add(AgentLoginFailure(agent_key=name.lower(), client=client[:MAX_CLIENT], at=_now(now)))


def forget_login_failures(session: Session, name: str) -> None:
    """Forget ``name``'s failures (after it signed in, or got a new password).

    The client address keeps its count: a guesser's own account must not reset it.
    """
    session.execute(delete(AgentLoginFailure).where(AgentLoginFailure.agent_key == name.lower()))


def signed_in_agents(
    session: Session, *, now: Optional[datetime] = None, policy: SessionPolicy = SessionPolicy()
) -> List[str]:
    """The names with at least one session that still stands (as :func:`session_agent` judges), sorted.

    Reads only: asking who is present moves no one's last-seen time.
    """
    now = _now(now)
    rows = session.execute(
        select(AgentSession.agent, AgentSession.bootstrap, AgentSession.last_seen_at).where(
            AgentSession.revoked_at.is_(None), AgentSession.expires_at > now
        )
    ).all()
    accounts = _accounts_exist(session)
    names: dict[str, str] = {}
    for agent, bootstrap, last_seen in rows:
        if now - last_seen >= policy.idle:
            continue
        allowed = not accounts if bootstrap else _account_active(session, agent)
        if allowed:
            names.setdefault(agent.lower(), agent)
    return sorted(names.values(), key=str.lower)
