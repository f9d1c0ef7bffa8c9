"""What one agent console needs to know, and how a route handler reaches it.

The channel registers every route with its :class:`ConsoleConfig` in the route's context
(Sanic's ``ctx_`` route arguments), so the handlers can be plain module-level functions and two
consoles in one process (tests do that) never share settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sanic.request import Request

from core.settings import PROJECT_ROOT, Settings
from store.agent_sessions import LoginLimits, SessionPolicy

CONSOLE_DIR = PROJECT_ROOT / "web" / "console"
DEFAULT_API_NAME = "integration"


@dataclass(frozen=True)
class ConsoleConfig:
    """The console token, where the page lives, sessions, sign-in limits and proxy trust.

    Attributes:
        token: ``AGENT_CONSOLE_TOKEN``: API clients' bearer token, and the sign-in password while
            no agent account exists; empty locks the console.
        api_name: the agent name bearer clients act under (``AGENT_API_NAME``).
        trust_forwarded_proto: believe ``X-Forwarded-Proto`` (set by a proxy we run).
        claim_idle: a claim nobody acted on for this long goes back to the queue.
        watch_every: how often the live feed checks the store (seconds).
    """

    token: str
    console_dir: Path = CONSOLE_DIR
    api_name: str = DEFAULT_API_NAME
    trust_forwarded_proto: bool = False
    sessions: SessionPolicy = field(default_factory=SessionPolicy)
    limits: LoginLimits = field(default_factory=LoginLimits)
    claim_idle: timedelta = timedelta(minutes=15)
    watch_every: float = 1.0

    @classmethod
    def from_settings(cls, token: str, settings: Settings) -> ConsoleConfig:
        """Read the ``AGENT_*`` and ``TRUST_FORWARDED_PROTO`` settings."""
        return cls(
            token=token,
            api_name=" ".join(settings.agent_api_name.split()) or DEFAULT_API_NAME,
            trust_forwarded_proto=settings.trust_forwarded_proto,
            sessions=SessionPolicy(
                idle=timedelta(minutes=settings.agent_session_idle_minutes),
                lifetime=timedelta(hours=settings.agent_session_max_hours),
            ),
            claim_idle=timedelta(minutes=settings.agent_claim_idle_minutes),
            watch_every=settings.agent_console_watch_seconds,
        )


def config_of(request: Request) -> ConsoleConfig:
    """The configuration of the console whose route is serving ``request``."""
    if request.route is None:
        raise RuntimeError("console handlers serve only the console's own routes")
    config: ConsoleConfig = request.route.ctx.console
    return config
