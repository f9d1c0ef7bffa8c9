"""A fake of the four Chatwoot application-API calls the handoff forwarding makes.

Checks the ``api_access_token`` header, the account in the path and the documented bodies:
contacts need ``inbox_id`` (and accept ``name``, ``email``, ``phone_number``, ``identifier``);
conversations need ``source_id`` (from the contact's ``contact_inbox``) and ``inbox_id``; messages
need ``content`` with ``message_type`` ``incoming``/``outgoing``; ``toggle_status`` needs a
``status`` of ``open``, ``pending``, ``resolved`` or ``snoozed``. Anything else gets 401/404/422.
"""

from __future__ import annotations

import itertools
from typing import Any, Dict, Optional

from aiohttp import web

from tests.fakes.server import FakeServer, RecordedRequest

TOKEN = "chatwoot-test-token"
ACCOUNT = "7"
INBOX = 3


class FakeChatwoot(FakeServer):
    """Records requests; ``conversations`` maps created ids to their latest status."""

    def __init__(self) -> None:
        super().__init__()
        self.ids = itertools.count(100)
        self.sources: Dict[str, int] = {}
        self.conversations: Dict[int, str] = {}

    def routes(self, app: web.Application) -> None:
        base = "/api/v1/accounts/{account}"
        app.router.add_post(f"{base}/contacts", self._contacts)
        app.router.add_post(f"{base}/conversations", self._conversations)
        app.router.add_post(base + "/conversations/{id}/messages", self._messages)
        app.router.add_post(base + "/conversations/{id}/toggle_status", self._toggle)

    async def _record(self, request: web.Request) -> tuple[RecordedRequest, Any]:
        body = await request.json()
        recorded = RecordedRequest(request.method, request.path, dict(request.headers), body)
        self.requests.append(recorded)
        return recorded, body

    def _reply(
        self, recorded: RecordedRequest, request: web.Request, body: Any, check: Any
    ) -> Optional[web.Response]:
        if request.headers.get("api_access_token") != TOKEN:
            recorded.status = 401
            return web.json_response(
                {"error": "You need to sign in or sign up before continuing."}, status=401
            )
        if request.match_info["account"] != ACCOUNT:
            recorded.status = 404
            return web.json_response({"error": "not found"}, status=404)
        problem = check(body)
        if problem:
            recorded.status = 422
            return web.json_response({"message": problem}, status=422)
        recorded.status = 200
        return None

    async def _contacts(self, request: web.Request) -> web.Response:
        recorded, body = await self._record(request)
        error = self._reply(
            recorded, request, body, lambda b: None if b.get("inbox_id") == INBOX else "inbox_id"
        )
        if error is not None:  # a Response is a (possibly empty) mapping: never test its truth
            return error
        contact_id, source = next(self.ids), f"src-{len(self.sources) + 1}"
        self.sources[source] = contact_id
        return web.json_response(
            {
                "payload": {
                    "contact": {"id": contact_id, "name": body.get("name")},
                    "contact_inbox": {"source_id": source, "inbox": {"id": INBOX}},
                }
            }
        )

    async def _conversations(self, request: web.Request) -> web.Response:
        recorded, body = await self._record(request)

        def check(b: Dict[str, Any]) -> str | None:
            if b.get("inbox_id") != INBOX or b.get("source_id") not in self.sources:
                return "source_id and inbox_id are required"
            return None if b.get("contact_id") == self.sources[b["source_id"]] else "contact_id"

        error = self._reply(recorded, request, body, check)
        if error is not None:  # a Response is a (possibly empty) mapping: never test its truth
            return error
        conversation = next(self.ids)
        self.conversations[conversation] = body.get("status", "open")
        return web.json_response({"id": conversation, "account_id": int(ACCOUNT), "inbox_id": INBOX})

    async def _messages(self, request: web.Request) -> web.Response:
        recorded, body = await self._record(request)
        known = int(request.match_info["id"]) in self.conversations
        error = self._reply(
            recorded,
            request,
            body,
            lambda b: (
                None
                if known and b.get("content") and b.get("message_type") in ("incoming", "outgoing")
                else "content and message_type are required"
            ),
        )
        return (
            error
            if error is not None
            else web.json_response({"id": next(self.ids), "content": body["content"]})
        )

    async def _toggle(self, request: web.Request) -> web.Response:
        recorded, body = await self._record(request)
        conversation = int(request.match_info["id"])
        error = self._reply(
            recorded,
            request,
            body,
            lambda b: (
                None
                if conversation in self.conversations
                and b.get("status") in ("open", "pending", "resolved", "snoozed")
                else "status"
            ),
        )
        if error is not None:  # a Response is a (possibly empty) mapping: never test its truth
            return error
        self.conversations[conversation] = body["status"]
        return web.json_response({"payload": {"success": True, "current_status": body["status"]}})
