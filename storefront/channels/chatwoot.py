"""Chatwoot both ways inside the Rasa server: its webhook in, and the forwarding worker.

``POST /webhooks/chatwoot/webhook`` takes Chatwoot's webhooks (authenticated as
:mod:`integrations.chatwoot_webhooks` says: a signature, or a token in the URL; 401 otherwise):

* an agent's public reply goes to the shopper on the shopper's own channel (socket.io, WhatsApp,
  Twilio...) through the same :class:`~storefront.handoff.conversation.ConversationDesk` the agent
  console uses, and into the handoff's messages; a handoff still queued is marked as taken by
  ``chatwoot:<agent>``. A channel's refusal (WhatsApp's 24-hour window, an outage) is written
  back to the Chatwoot conversation as a private note for the agent, never to the shopper;
* resolving the conversation in Chatwoot (or setting it back to ``pending``) resolves the handoff
  and resumes the assistant, as the console's hand-back does.

Each event is taken once (:func:`store.helpdesk.take_helpdesk_event`): a retried webhook is
answered 200 and changes nothing. Events about conversations the bridge did not open are
acknowledged and ignored.

The channel also starts the worker that forwards queued handoffs
(:func:`integrations.chatwoot_forwarding.run_forever`) when the helpdesk is configured, so the
handoff action never waits on Chatwoot. Reference it in ``credentials.yml`` as
``storefront.channels.chatwoot.ChatwootInput``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Union

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from core.settings import get_settings
from integrations.chatwoot import ChatwootConfig, HelpdeskError, load_helpdesk_config, post_private_note
from integrations.chatwoot_forwarding import run_forever
from integrations.chatwoot_webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    AgentReply,
    HandBack,
    helpdesk_event,
    signature_valid,
    token_valid,
)  # fmt: skip
from store.handoffs import HandoffView, add_handoff_message, claim_handoff, resolve_handoff
from store.helpdesk import handoff_for_helpdesk_conversation, release_helpdesk_event, take_helpdesk_event
from store.runner import StoreUnavailable, configured_timeout, run_in_session
from storefront.channels.limits import (
    RequestRejected,
    install_request_limit,
    limit_settings,
    parse_json,
    rejection_response,
)  # fmt: skip
from storefront.handoff.console.queue import desk
from storefront.handoff.conversation import DeliveryFailed
from storefront.handoff.satisfaction import offer_rating

logger = logging.getLogger(__name__)


HAND_BACKS = {
    "resolved": ("utter_handoff_resolved", "resolved"),
    "pending": ("utter_handoff_bot_back", "bot_resumed"),
}
"""Per Chatwoot status: what the shopper is told (a domain.yml response) and the widget's marker."""

# notes for the Chatwoot agent (private: the shopper never sees them)
NOT_SENT_CLOSED = "Not sent: this conversation is back with the assistant."
NOT_DELIVERED = "Not delivered to the shopper:"


def _error(status: int, code: str, message: str) -> HTTPResponse:
    return rejection_response(RequestRejected(status, code, message))


async def _store(function: Any, **kwargs: Any) -> Any:
    return await run_in_session(function, timeout=configured_timeout(), **kwargs)


class ChatwootInput(InputChannel):
    """Chatwoot's webhook and the forwarding worker (see the module docstring)."""

    def __init__(self, secret: str, token: str, config: Optional[ChatwootConfig]) -> None:
        self.secret = secret
        self.token = token
        self.config = config
        self._worker: Optional[asyncio.Task] = None

    @classmethod
    def name(cls) -> str:
        return "chatwoot"

    @property
    def enabled(self) -> bool:
        return self.config is not None and bool(self.secret or self.token)

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> ChatwootInput:
        """Secrets come from the settings (``CHATWOOT_*``), never from YAML."""
        settings = get_settings()
        return cls(settings.chatwoot_webhook_secret, settings.chatwoot_webhook_token, load_helpdesk_config())

    def authentic(self, request: Request) -> bool:
        """A valid signature when a secret is set, else the URL's token (see the integration module)."""
        if self.secret:
            return signature_valid(
                self.secret, request.body, request.headers.get(SIGNATURE_HEADER),
                request.headers.get(TIMESTAMP_HEADER), now=time.time(),
            )  # fmt: skip
        return token_valid(self.token, request.args.get("token"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """A health route, the webhook route, and the worker's start and stop."""
        chatwoot = Blueprint("storefront_chatwoot", __name__)
        install_request_limit(chatwoot)

        @chatwoot.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "not configured"})

        @chatwoot.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request)

        @chatwoot.listener("after_server_start")
        async def start_worker(app: Sanic, _loop: Any) -> None:
            if self.config is not None:
                self._worker = asyncio.get_running_loop().create_task(run_forever(self.config))

        @chatwoot.listener("before_server_stop")
        async def stop_worker(app: Sanic, _loop: Any) -> None:
            if self._worker is not None:
                self._worker.cancel()

        return chatwoot

    async def receive(self, request: Request) -> HTTPResponse:
        """Authenticate, parse and act on one webhook (see the module docstring)."""
        if not self.enabled:
            return _error(503, "not_configured", "the Chatwoot bridge is not configured")
        if not self.authentic(request):
            logger.warning("chatwoot.webhook.unauthenticated")
            return _error(401, "unauthenticated", f"missing or invalid {SIGNATURE_HEADER} or token")
        try:
            limits = limit_settings()
            payload = parse_json(
                request.body, max_bytes=limits["MAX_REQUEST_BYTES"], max_depth=limits["MAX_JSON_DEPTH"]
            )
            event = helpdesk_event(payload) if isinstance(payload, dict) else None
        except RequestRejected as error:
            return rejection_response(error)
        except (KeyError, TypeError, ValueError):
            return _error(400, "invalid_payload", "the webhook lacks or misspells a field")
        if event is None:
            return response.json({"status": "ignored"})
        try:
            return response.json({"status": await self._act(request, event)})
        except StoreUnavailable:
            return _error(503, "store_unavailable", "the store could not take the event; retry later")

    async def _act(self, request: Request, event: Union[AgentReply, HandBack]) -> str:
        handoff = await _store(
            handoff_for_helpdesk_conversation, helpdesk_conversation_id=event.helpdesk_conversation_id
        )
        if handoff is None:
            return "ignored"
        if not await _store(take_helpdesk_event, event_key=event.key, handoff_id=handoff.id):
            return "duplicate"
        try:
            if isinstance(event, AgentReply):
                return await self._reply(request, handoff, event)
            return await self._hand_back(request, handoff, event)
        except Exception:
            await _store(release_helpdesk_event, event_key=event.key)  # Chatwoot's retry is handled
            raise

    async def _reply(self, request: Request, handoff: HandoffView, reply: AgentReply) -> str:
        if handoff.status == "resolved":
            await self._note(reply.helpdesk_conversation_id, NOT_SENT_CLOSED)
            return "closed"
        await _store(claim_handoff, handoff_id=handoff.id, agent=f"chatwoot:{reply.agent}")
        try:
            delivered = await desk(request).say(
                handoff.conversation_id, {"text": reply.text},
                {"handoff": "agent_message", "agent": reply.agent}, require_delivery=True,
            )  # fmt: skip
        except DeliveryFailed as failed:
            logger.warning("chatwoot.reply.not_delivered handoff=%s error=%s", handoff.id, failed)
            await self._note(reply.helpdesk_conversation_id, f"{NOT_DELIVERED} {failed}")
            return "not_delivered"
        await _store(
            add_handoff_message, handoff_id=handoff.id, sender=f"agent:{reply.agent}", text=reply.text
        )
        return "delivered" if delivered else "recorded"

    async def _hand_back(self, request: Request, handoff: HandoffView, back: HandBack) -> str:
        if not await _store(resolve_handoff, handoff_id=handoff.id, agent=f"chatwoot:{back.agent}"):
            return "already_resolved"
        utterance, marker = HAND_BACKS[back.status]
        conversations = desk(request)
        tracker = await conversations.tracker(handoff.conversation_id)
        message = await conversations.render(utterance, tracker, agent=back.agent)
        await conversations.resume(handoff.conversation_id, message, {"handoff": marker, "agent": back.agent})
        if back.status == "resolved":  # closed by the agent: ask for a rating, as the console does
            await offer_rating(conversations, handoff.conversation_id)
        return "resumed"

    async def _note(self, helpdesk_conversation_id: int, text: str) -> None:
        """Tell the Chatwoot agent what the bridge could not do (best effort: logged if that fails)."""
        assert self.config is not None
        try:
            await post_private_note(self.config, helpdesk_conversation_id, text)
        except HelpdeskError as error:
            logger.error("chatwoot.note.failed conversation=%s error=%s", helpdesk_conversation_id, error)


__all__ = ["ChatwootInput"]
