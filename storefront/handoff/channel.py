"""The agent console: a Rasa input channel whose blueprint serves the page and its JSON API.

Declared in ``credentials.yml`` (``storefront.handoff.channel.AgentConsoleInput: {token: ...}``),
so it runs inside ``rasa run`` with the same tracker store, lock store and output channels as the
shopper's conversation. Everything lives under ``/webhooks/agent_console/``; the routes and who may
use them are in :mod:`storefront.handoff.console`. The channel never handles shopper messages.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

from storefront.handoff.console import conversations, dashboard, pages, queue
from storefront.handoff.console.config import ConsoleConfig
from storefront.handoff.console.responses import Handler

logger = logging.getLogger(__name__)

ROUTES: Tuple[Tuple[str, str, Handler], ...] = (
    ("GET", "/", pages.console_page),
    ("POST", "/login", pages.login),
    ("POST", "/logout", pages.logout),
    ("GET", "/static/<name>", pages.static_file),
    ("GET", "/api/me", queue.me),
    ("GET", "/api/handoffs", queue.queue),
    ("GET", "/api/handoffs/<handoff_id:int>", queue.detail),
    ("POST", "/api/handoffs/<handoff_id:int>/claim", conversations.claim),
    ("POST", "/api/handoffs/<handoff_id:int>/messages", conversations.reply),
    ("POST", "/api/handoffs/<handoff_id:int>/handback", conversations.handback),
    ("POST", "/api/handoffs/<handoff_id:int>/resolve", conversations.resolve),
    *dashboard.ROUTES,
)


class AgentConsoleInput(InputChannel):
    """Agent console for live-agent handoffs (channel name ``agent_console``)."""

    @classmethod
    def name(cls) -> str:
        return "agent_console"

    def __init__(
        self, token: str, console_dir: Optional[Path] = None, *, config: Optional[ConsoleConfig] = None
    ) -> None:
        config = config or ConsoleConfig(token=token)
        self.config = replace(config, token=token, console_dir=console_dir or config.console_dir)

    @property
    def token(self) -> str:
        return self.config.token

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Read ``token`` (``${AGENT_CONSOLE_TOKEN}``; empty locks the console) and the settings."""
        from core.settings import get_settings

        token = str((credentials or {}).get("token") or "")
        if not token:
            logger.warning("AGENT_CONSOLE_TOKEN is empty: the agent console refuses every request")
        return cls(token, config=ConsoleConfig.from_settings(token, get_settings()))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Every console route, each carrying this console's configuration in its context."""
        console = Blueprint("agent_console", __name__)
        for method, uri, handler in ROUTES:
            console.add_route(handler, uri, methods=[method], ctx_console=self.config)
        return console
