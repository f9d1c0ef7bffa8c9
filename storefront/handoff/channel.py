"""The agent console: a Rasa input channel whose blueprint serves the page and its JSON API.

Declared in ``credentials.yml`` (``storefront.handoff.channel.AgentConsoleInput: {token: ...}``),
so it runs inside ``rasa run`` with the same tracker store, lock store and output channels as the
shopper's conversation. Everything lives under ``/webhooks/agent_console/``:

* ``GET /`` the console (401 and a sign-in form without a valid session), ``POST /login``,
  ``POST /logout``, ``GET /static/<file>`` (the page's script and style, no secrets);
* ``GET /api/handoffs?status=open|queued|claimed|resolved|all`` the queue, oldest first;
* ``GET /api/handoffs/<id>`` context, the live transcript from the tracker, paused or not;
* ``POST /api/handoffs/<id>/claim`` (409 when someone else has it), ``.../messages``
  ``{"text": ...}`` (only the claiming agent), ``.../handback`` and ``.../resolve``.

Auth: see :mod:`storefront.handoff.auth`. The channel never handles shopper messages itself.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from core.settings import PROJECT_ROOT
from store.handoffs import add_handoff_message, claim_handoff, get_handoff, list_handoffs, resolve_handoff
from storefront.handoff import auth
from storefront.handoff.conversation import ConversationDesk, DeliveryFailed, messages_since_pause, transcript
from storefront.handoff.views import handoff_detail, queue_item, run_store

logger = logging.getLogger(__name__)

CONSOLE_DIR = PROJECT_ROOT / "web" / "console"
STATIC_FILES = {"console.js": "text/javascript", "console.css": "text/css"}
MAX_REPLY_CHARS = 2000
_NO_STORE = {"Cache-Control": "no-store"}


def _error(code: int, message: str, **extra: Any) -> HTTPResponse:
    return response.json({"error": message, **extra}, status=code, headers=_NO_STORE)


def _page(name: str, status: int = 200, error: str = "") -> HTTPResponse:
    html = (CONSOLE_DIR / name).read_text(encoding="utf-8").replace("<!--error-->", error)
    return response.html(html, status=status, headers={**_NO_STORE, "X-Frame-Options": "DENY"})


class AgentConsoleInput(InputChannel):
    """Agent console for live-agent handoffs (channel name ``agent_console``)."""

    @classmethod
    def name(cls) -> str:
        return "agent_console"

    def __init__(self, token: str, console_dir: Optional[Path] = None) -> None:
        self.token = token
        self.console_dir = console_dir or CONSOLE_DIR

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Read ``token`` (``${AGENT_CONSOLE_TOKEN}``); an empty token locks the console."""
        token = str((credentials or {}).get("token") or "")
        if not token:
            logger.warning("AGENT_CONSOLE_TOKEN is empty: the agent console refuses every request")
        return cls(token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Console page, sign-in and the JSON API."""
        console = Blueprint("agent_console", __name__)
        token = self.token

        def desk(request: Request) -> ConversationDesk:
            return ConversationDesk(
                request.app.ctx.agent, getattr(request.app.ctx, "input_channels", []) or []
            )

        async def sync_shopper_messages(handoff: Any, tracker: Any) -> None:
            """Copy what the shopper wrote while waiting into the handoff record, in order."""
            stored = sum(1 for m in handoff.messages if m.sender == "shopper")
            for said in messages_since_pause(tracker)[stored:]:
                await run_store(
                    add_handoff_message, handoff_id=handoff.id, sender="shopper", text=said.text or ""
                )

        async def signed_in(request: Request) -> Optional[auth.AgentIdentity]:
            identity = auth.authenticate(request, token)
            if identity is None:
                return None
            if identity.via_cookie and not await run_store(auth.cookie_still_valid, identity=identity):
                return None
            return identity

        @console.get("/")
        async def page(request: Request) -> HTTPResponse:
            if await signed_in(request) is None:
                return _page("login.html", status=401)
            return _page("index.html")

        @console.post("/login")
        async def login(request: Request) -> HTTPResponse:
            given = auth.clean_agent_name(request.form.get("agent"))
            name = await run_store(auth.sign_in, token=token, name=given, secret=request.form.get("token"))
            if not name:
                return _page("login.html", status=401, error="Wrong name or password, or no name given.")
            reply = response.redirect("./", status=303)
            reply.cookies[auth.COOKIE_NAME] = auth.session_cookie(token, name)
            morsel = reply.cookies[auth.COOKIE_NAME]
            morsel["httponly"] = True
            morsel["samesite"] = "Strict"
            morsel["path"] = "/webhooks/agent_console"
            morsel["max-age"] = 12 * 3600
            return reply

        @console.post("/logout")
        async def logout(request: Request) -> HTTPResponse:
            reply = response.redirect("./", status=303)
            reply.cookies[auth.COOKIE_NAME] = ""
            reply.cookies[auth.COOKIE_NAME]["path"] = "/webhooks/agent_console"
            reply.cookies[auth.COOKIE_NAME]["max-age"] = 0
            return reply

        @console.get("/static/<name>")
        async def static(request: Request, name: str) -> HTTPResponse:
            if name not in STATIC_FILES:
                return _error(404, "not found")
            body = (self.console_dir / name).read_text(encoding="utf-8")
            return response.text(body, content_type=STATIC_FILES[name], headers=_NO_STORE)

        async def identify(request: Request, *, write: bool = False) -> auth.AgentIdentity | HTTPResponse:
            identity = await signed_in(request)
            if identity is None:
                return _error(401, "Sign in to the agent console (Authorization: Bearer <token>).")
            if write and not auth.csrf_ok(request, identity):
                return _error(403, "Missing the X-Requested-With: console header.")
            if write and not identity.name:
                return _error(400, "Name the agent in the X-Agent-Name header.")
            return identity

        @console.get("/api/me")
        async def me(request: Request) -> HTTPResponse:
            identity = await identify(request)
            if isinstance(identity, HTTPResponse):
                return identity
            return response.json({"agent": identity.name}, headers=_NO_STORE)

        @console.get("/api/handoffs")
        async def queue(request: Request) -> HTTPResponse:
            identity = await identify(request)
            if isinstance(identity, HTTPResponse):
                return identity
            wanted = request.args.get("status", "open")
            if wanted not in ("open", "all", "queued", "claimed", "resolved"):
                return _error(400, "status must be open, all, queued, claimed or resolved")
            status = None if wanted in ("open", "all") else wanted
            handoffs = await run_store(list_handoffs, status=status)
            if wanted == "open":
                handoffs = [h for h in handoffs if h.status != "resolved"]
            return response.json({"handoffs": [queue_item(h) for h in handoffs]}, headers=_NO_STORE)

        @console.get("/api/handoffs/<handoff_id:int>")
        async def detail(request: Request, handoff_id: int) -> HTTPResponse:
            identity = await identify(request)
            if isinstance(identity, HTTPResponse):
                return identity
            handoff = await run_store(get_handoff, handoff_id=handoff_id)
            if handoff is None:
                return _error(404, f"no handoff {handoff_id}")
            tracker = await desk(request).tracker(handoff.conversation_id)
            body = handoff_detail(handoff)
            body["transcript"] = transcript(tracker)
            body["paused"] = tracker.is_paused()
            return response.json(body, headers=_NO_STORE)

        @console.post("/api/handoffs/<handoff_id:int>/claim")
        async def claim(request: Request, handoff_id: int) -> HTTPResponse:
            identity = await identify(request, write=True)
            if isinstance(identity, HTTPResponse):
                return identity
            won = await run_store(claim_handoff, handoff_id=handoff_id, agent=identity.name)
            handoff = await run_store(get_handoff, handoff_id=handoff_id)
            if handoff is None:
                return _error(404, f"no handoff {handoff_id}")
            if not won:
                return _error(409, f"handoff {handoff_id} is {handoff.status}", claimed_by=handoff.claimed_by)
            conversations = desk(request)
            tracker = await conversations.tracker(handoff.conversation_id)
            await sync_shopper_messages(handoff, tracker)
            notice = await conversations.render("utter_handoff_agent_joined", tracker, agent=identity.name)
            delivered = await conversations.say(
                handoff.conversation_id, notice, {"handoff": "agent_joined", "agent": identity.name}
            )
            await run_store(
                add_handoff_message, handoff_id=handoff_id, sender="bot", text=notice.get("text", "")
            )
            return response.json({"claimed": True, "delivered": delivered, "handoff": queue_item(handoff)})

        async def owned(request: Request, handoff_id: int) -> tuple[auth.AgentIdentity, Any] | HTTPResponse:
            identity = await identify(request, write=True)
            if isinstance(identity, HTTPResponse):
                return identity
            handoff = await run_store(get_handoff, handoff_id=handoff_id)
            if handoff is None:
                return _error(404, f"no handoff {handoff_id}")
            if handoff.status != "claimed" or handoff.claimed_by != identity.name:
                return _error(
                    409, "claim this conversation first", status=handoff.status, claimed_by=handoff.claimed_by
                )
            return identity, handoff

        @console.post("/api/handoffs/<handoff_id:int>/messages")
        async def reply(request: Request, handoff_id: int) -> HTTPResponse:
            found = await owned(request, handoff_id)
            if isinstance(found, HTTPResponse):
                return found
            identity, handoff = found
            text = ((request.json or {}).get("text") if isinstance(request.json, dict) else None) or ""
            text = text.strip() if isinstance(text, str) else ""
            if not text or len(text) > MAX_REPLY_CHARS:
                return _error(400, f"text must be 1 to {MAX_REPLY_CHARS} characters")
            conversations = desk(request)
            await sync_shopper_messages(handoff, await conversations.tracker(handoff.conversation_id))
            try:
                delivered = await conversations.say(
                    handoff.conversation_id,
                    {"text": text},
                    {"handoff": "agent_message", "agent": identity.name},
                    require_delivery=True,
                )
            except DeliveryFailed as error:
                return _error(409, f"Not sent: {error}", channel=handoff.channel)
            await run_store(
                add_handoff_message, handoff_id=handoff_id, sender=f"agent:{identity.name}", text=text
            )
            return response.json({"delivered": delivered, "channel": handoff.channel})

        async def finish(request: Request, handoff_id: int, utterance: str, marker: str) -> HTTPResponse:
            found = await owned(request, handoff_id)
            if isinstance(found, HTTPResponse):
                return found
            identity, handoff = found
            conversations = desk(request)
            tracker = await conversations.tracker(handoff.conversation_id)
            await sync_shopper_messages(handoff, tracker)
            if not await run_store(resolve_handoff, handoff_id=handoff_id, agent=identity.name):
                return _error(409, f"handoff {handoff_id} is already resolved")
            message = await conversations.render(utterance, tracker, agent=identity.name)
            delivered = await conversations.resume(
                handoff.conversation_id, message, {"handoff": marker, "agent": identity.name}
            )
            return response.json({"status": "resolved", "delivered": delivered})

        @console.post("/api/handoffs/<handoff_id:int>/handback")
        async def handback(request: Request, handoff_id: int) -> HTTPResponse:
            return await finish(request, handoff_id, "utter_handoff_bot_back", "bot_resumed")

        @console.post("/api/handoffs/<handoff_id:int>/resolve")
        async def resolve(request: Request, handoff_id: int) -> HTTPResponse:
            return await finish(request, handoff_id, "utter_handoff_resolved", "resolved")

        return console
