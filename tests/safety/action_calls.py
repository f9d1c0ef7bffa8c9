"""What the action server tests share: a stand-in webhook, and a real call to the real action server."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, Optional

import requests
from aiohttp import web

from tests.conftest import TEST_ACTION_SERVER_TOKEN
from tools.launcher import Stack

AUTH = {"Authorization": f"Bearer {TEST_ACTION_SERVER_TOKEN}"}


@asynccontextmanager
async def stand_in_webhook(
    answer: Callable[[web.Request], Awaitable[web.Response]], port: int
) -> AsyncIterator[str]:
    """An HTTP server on 127.0.0.1:``port`` answering ``POST /webhook`` with ``answer``; yields its URL."""
    app = web.Application()
    app.router.add_post("/webhook", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        await runner.cleanup()


def validation_call(sender: str, domain: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The order form's validation: the slots it validates come from the domain's forms and from
    the events after its last action."""
    tracker = {
        "sender_id": sender, "slots": {"order_number": "#1001", "requested_slot": "order_number"},
        "latest_message": {"text": "#1001", "intent": {"name": "inform"}, "entities": []},
        "events": [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": "#1001", "parse_data": {"intent": {"name": "inform"}, "entities": []}},
            {"event": "slot", "name": "order_number", "value": "#1001"},
        ],
        "paused": False, "followup_action": None,
        "active_loop": {"name": "order_status_form"}, "latest_action_name": "action_listen",
    }  # fmt: skip
    body: Dict[str, Any] = {
        "next_action": "validate_order_status_form",
        "sender_id": sender,
        "tracker": tracker,
    }
    if domain is not None:
        body["domain"] = domain
    return body


def post(server: Stack, body: Dict[str, Any], headers: Dict[str, str]) -> requests.Response:
    """``body`` to the real action server's webhook."""
    return requests.post(f"{server.action_url}/webhook", json=body, headers=headers, timeout=30)
