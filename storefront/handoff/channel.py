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

from storefront.handoff.console import (
    canned,
    conversations,
    dashboard,
    history,
    notes,
    orders,
    pages,
    queue,
    review,
    stream,
    team,
)
from storefront.handoff.console.config import ConsoleConfig
from storefront.handoff.console.feed import LiveFeed
from storefront.handoff.console.responses import Handler
from storefront.handoff.console.watch import Watcher

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
    ("GET", "/api/events", stream.events),
    ("GET", "/api/agents", team.agents),
    ("POST", "/api/handoffs/<handoff_id:int>/transfer", team.transfer),
    ("POST", "/api/handoffs/<handoff_id:int>/release", team.release),
    ("POST", "/api/handoffs/<handoff_id:int>/notes", notes.add),
    ("GET", "/api/history", history.history),
    ("GET", "/api/canned", canned.list_replies),
    ("POST", "/api/canned", canned.create_reply),
    ("PUT", "/api/canned/<reply_id:int>", canned.update_reply),
    ("DELETE", "/api/canned/<reply_id:int>", canned.delete_reply),
    ("GET", "/api/handoffs/<handoff_id:int>/canned/<reply_id:int>", canned.filled_reply),
    ("GET", "/api/handoffs/<handoff_id:int>/orders/<number:str>", orders.options),
    ("POST", "/api/handoffs/<handoff_id:int>/orders/<number:str>/cancel", orders.cancel),
    ("POST", "/api/handoffs/<handoff_id:int>/orders/<number:str>/address", orders.change_address),
    ("POST", "/api/handoffs/<handoff_id:int>/orders/<number:str>/return", orders.start_return),
    ("GET", "/review", review.review_page),
    ("GET", "/review.js", review.review_script),
    ("GET", "/api/review", review.review_queue),
    ("POST", "/api/review/labels", review.label_message),
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
        self.feed = LiveFeed()
        self.watcher = Watcher(self.feed, self.config)

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
        """Every console route, each carrying this console's configuration and live feed in its
        context, and the watcher that feeds it, running as long as the server does."""
        console = Blueprint("agent_console", __name__)
        for method, uri, handler in ROUTES:
            console.add_route(handler, uri, methods=[method], ctx_console=self.config, ctx_feed=self.feed)

        @console.listener("after_server_start")
        async def start_watching(app: Any, _loop: Any) -> None:
            self.watcher.start(app)

        @console.listener("before_server_stop")
        async def stop_watching(_app: Any, _loop: Any) -> None:
            await self.watcher.stop()

        return console
