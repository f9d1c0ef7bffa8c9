"""The WhatsApp Cloud API channel for Rasa 3.6 (``/webhooks/whatsapp/...``).

Reference it from ``credentials.yml`` as ``storefront.channels.whatsapp.WhatsAppInput``; keys left
out there are read from the settings (``WHATSAPP_*``). Without an app secret, access token and
phone number id the channel is off: its routes answer 503 and nothing is processed.

Routes: ``GET /`` health, ``GET /webhook`` Meta's verification handshake, ``POST /webhook``
messages (signature checked on the raw body before anything else, answered 200 at once, each
conversation's messages processed in order in the background, Meta's retries dropped).
"""

from __future__ import annotations

import functools
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from core import clock
from core.booleans import parse_bool
from store.consent import Channel
from store.contact import e164
from store.keywords import keyword_of
from store.runner import StoreUnavailable
from storefront.channels import whatsapp_format as fmt
from storefront.channels.keywords import Inbound, record_status, take_keyword
from storefront.channels.limits import (
    DEFAULT_LIMITS,
    RequestRejected,
    cap_text,
    install_request_limit,
    limit_settings,
    rejection_response,
)
from storefront.channels.proactive_replies import with_proactive_context
from storefront.channels.whatsapp_inbound import (
    SIGNATURE_HEADER,
    InboundMessage,
    Intents,
    MalformedWebhook,
    load_body,
    parse_statuses,
    parse_webhook,
    signature_is_valid,
)
from storefront.channels.whatsapp_output import GraphApiClient, GraphApiConfig, WhatsAppOutput
from storefront.channels.whatsapp_state import (
    ConversationFacts,
    OrderedDispatcher,
    RecentIds,
    SeenMessages,
    recent_ids_from_settings,
)

logger = logging.getLogger(__name__)

# How long a stopping server waits for messages still being processed.
DRAIN_SECONDS = 20.0


def add_lifecycle_routes(
    webhook: Blueprint, channel: Any, on_stop: Optional[Callable[[], Awaitable[None]]] = None
) -> None:
    """What the messaging channels (WhatsApp, Twilio) share around their webhook.

    The channel remembers the Sanic app (its tracker store backs the 24-hour window and the
    offered options), finishes the messages its ``dispatcher`` still processes in the background
    when the server stops, and answers ``GET /`` with 503 while its credentials are missing.
    """

    @webhook.listener("before_server_start")
    async def remember_app(app: Any, _loop: Any) -> None:
        channel._app = app

    @webhook.listener("before_server_stop")
    async def finish(_app: Any, _loop: Any) -> None:
        await channel.dispatcher.drain(timeout=DRAIN_SECONDS)
        if on_stop is not None:
            await on_stop()

    @webhook.route("/", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        if not channel.enabled:
            return response.json({"status": "disabled"}, status=503)
        return response.json({"status": "ok"})


LIST_BUTTON_RESPONSE = "utter_list_button"


def app_tracker_store(app: Any) -> Optional[Any]:
    """The tracker store of the Rasa agent running in ``app``, if there is one."""
    agent = getattr(getattr(app, "ctx", None), "agent", None) if app is not None else None
    return getattr(agent, "tracker_store", None)


def domain_text(app: Any, response_name: str, channel: str) -> Optional[str]:
    """The text of a domain response (its ``channel`` variant first), from the running agent."""
    agent = getattr(getattr(app, "ctx", None), "agent", None) if app is not None else None
    domain = getattr(agent, "domain", None)
    variants = list(getattr(domain, "responses", {}).get(response_name, []))
    variants.sort(key=lambda variant: variant.get("channel") != channel)
    for variant in variants:
        if variant.get("channel") in (None, channel) and variant.get("text"):
            return str(variant["text"])
    return None


class WhatsAppInput(InputChannel):
    """Receives WhatsApp Cloud API webhooks and hands shopper messages to Rasa."""

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> WhatsAppInput:
        """Build from ``credentials.yml``; missing or empty keys fall back to the settings."""
        from core.settings import get_settings

        settings = get_settings()
        given = {key: value for key, value in (credentials or {}).items() if value not in (None, "")}

        def pick(key: str, setting: str) -> str:
            return str(given.get(key, setting))

        config = GraphApiConfig(
            base_url=pick("api_base_url", settings.whatsapp_api_base_url),
            version=pick("api_version", settings.whatsapp_api_version),
            phone_number_id=pick("phone_number_id", settings.whatsapp_phone_number_id),
            access_token=pick("access_token", settings.whatsapp_access_token),
            template_name=pick("template_name", settings.whatsapp_template_name),
            template_language=pick("template_language", settings.whatsapp_template_language),
        )
        intents = Intents(
            **{k: v for k, v in (given.get("intents") or {}).items() if k in Intents.__annotations__}
        )
        return cls(
            verify_token=pick("verify_token", settings.whatsapp_verify_token),
            app_secret=pick("app_secret", settings.whatsapp_app_secret),
            api=config,
            background=parse_bool(given.get("background"), name="background", default=True),
            intents=intents,
            recent_ids=recent_ids_from_settings(cls.name(), settings),
            limits=limit_settings(),
            ledger=True,
        )

    def __init__(
        self,
        *,
        verify_token: str,
        app_secret: str,
        api: GraphApiConfig,
        background: bool = True,
        intents: Intents = Intents(),
        tracker_store: Optional[Any] = None,
        recent_ids: Optional[SeenMessages] = None,
        list_button_label: Optional[str] = None,
        limits: Optional[Dict[str, int]] = None,
        ledger: bool = False,
    ) -> None:
        """Create the channel.

        Args:
            verify_token: the token Meta echoes in the subscription handshake.
            app_secret: the Meta app secret that signs every webhook.
            api: where and with which token replies are sent.
            background: answer webhooks before the bot has processed them (the default).
            intents: intent names for locations and media.
            tracker_store: a tracker store to read (tests); by default the running agent's.
            recent_ids: where the ids of messages already taken are kept (webhook retries are
                dropped); by default in this process.
            list_button_label: the list button's label; by default the domain's
                ``utter_list_button`` text.
            limits: the ``MAX_*`` input limits; by default those of :mod:`storefront.channels.limits`.
            ledger: take STOP/START/HELP before the NLU and note each inbound message in the
                store (the consent ledger and the 24-hour window); on when built from credentials.
        """
        self.verify_token, self.app_secret = verify_token, app_secret
        self.client = GraphApiClient(api)
        self.intents = intents
        self.dispatcher = OrderedDispatcher(background=background)
        self.recent_ids: SeenMessages = recent_ids if recent_ids is not None else RecentIds()
        self._app: Any = None
        self._tracker_store = tracker_store
        self._list_button_label = list_button_label
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self.facts = ConversationFacts(self._current_tracker_store, self.name(), ledger=ledger)
        self.ledger = ledger

    @property
    def enabled(self) -> bool:
        """Whether every credential needed to receive and answer messages is set."""
        config = self.client.config
        return bool(self.app_secret and config.access_token and config.phone_number_id)

    def _current_tracker_store(self) -> Optional[Any]:
        return self._tracker_store if self._tracker_store is not None else app_tracker_store(self._app)

    def _output(self, *, inbound_at: Optional[float], raise_errors: bool) -> WhatsAppOutput:
        label = self._list_button_label or domain_text(self._app, LIST_BUTTON_RESPONSE, self.name())
        return WhatsAppOutput(
            self.client, self.facts, inbound_at=inbound_at, raise_errors=raise_errors, list_button_label=label
        )

    def get_output_channel(self) -> WhatsAppOutput:
        """An output channel for messages nobody asked for (agent replies, proactive messages).

        It enforces the 24-hour window and raises delivery errors to the caller.
        """
        return self._output(inbound_at=None, raise_errors=True)

    async def _resolve_text(self, message: InboundMessage) -> tuple[str, Dict[str, Any]]:
        """Map an option's number (or exact title) typed by the shopper back to its payload.

        Numbered text needs this; for buttons and lists it also helps shoppers who type instead
        of tapping. Only the options of the bot's latest message count.
        """
        options = await self.facts.take_offered_options(message.conversation_id)
        payload = fmt.match_numbered_answer(message.text, options)
        if payload is None:
            return message.text, message.metadata
        return payload, {**message.metadata, "typed_text": message.text}

    async def _took_keyword(self, message: InboundMessage, output: WhatsAppOutput) -> bool:
        """Note the message in the store; True when it was STOP/START/HELP (answered here)."""
        phone = e164(str(message.metadata.get("phone") or ""), None)
        if not self.ledger or phone is None:
            return False
        typed = message.text if message.metadata.get("message_type") == "text" else None
        inbound = Inbound(Channel.WHATSAPP, phone, message.conversation_id, typed)
        try:
            return await take_keyword(inbound, output)
        except StoreUnavailable:
            if typed is not None and keyword_of(typed, channel=Channel.WHATSAPP) is not None:
                raise  # an opt-out that was not recorded: Meta retries the webhook
            logger.exception("whatsapp.inbound.not_noted id=%s", message.message_id)
            return False

    async def _deliver(
        self, message: InboundMessage, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        output = self._output(inbound_at=message.timestamp or clock.now().timestamp(), raise_errors=False)
        if await self._took_keyword(message, output):
            return
        text, metadata = await self._resolve_text(message)
        text = cap_text(text, self.limits["MAX_MESSAGE_CHARS"], channel=self.name())
        if self.ledger:
            metadata = await with_proactive_context(
                metadata,
                channel=Channel.WHATSAPP,
                address=e164(str(message.metadata.get("phone") or ""), None),
                conversation_id=message.conversation_id,
            )
        await on_new_message(
            UserMessage(
                text, output, message.conversation_id, input_channel=self.name(),
                message_id=message.message_id, metadata=metadata,
            )
        )  # fmt: skip

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Health, verification handshake and webhook routes."""
        webhook = Blueprint("storefront_whatsapp_webhook", __name__)
        install_request_limit(webhook, self.limits["MAX_REQUEST_BYTES"])
        add_lifecycle_routes(webhook, self, on_stop=self.client.close)

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            if (
                self.verify_token
                and request.args.get("hub.mode") == "subscribe"
                and hmac.compare_digest(token.encode(), self.verify_token.encode())
            ):
                return response.text(request.args.get("hub.challenge") or "")
            return response.text("verification failed", status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            self._app = request.app
            if not self.enabled:
                return response.json({"error": "the WhatsApp channel is not configured"}, status=503)
            header = request.headers.get(SIGNATURE_HEADER)
            if not header:
                return response.json({"error": f"missing {SIGNATURE_HEADER}"}, status=401)
            if not signature_is_valid(self.app_secret, request.body, header):
                logger.warning("whatsapp.webhook.bad_signature")
                return response.json({"error": "invalid signature"}, status=403)
            try:
                body = load_body(
                    request.body,
                    max_bytes=self.limits["MAX_REQUEST_BYTES"],
                    max_depth=self.limits["MAX_JSON_DEPTH"],
                )
                messages = parse_webhook(body, self.intents)
                statuses = parse_statuses(body)
            except RequestRejected as error:
                return rejection_response(error)
            except MalformedWebhook as error:
                return response.json({"error": str(error), "code": "invalid_body"}, status=400)
            for message in messages:
                if not self.recent_ids.add(message.message_id):
                    logger.info("whatsapp.webhook.duplicate id=%s", message.message_id)
                    continue
                try:
                    await self.dispatcher.submit(
                        message.conversation_id,
                        functools.partial(self._deliver, message, on_new_message),
                        functools.partial(self.recent_ids.forget, message.message_id),
                    )
                except Exception:
                    logger.exception("whatsapp.webhook.processing_failed id=%s", message.message_id)
                    return response.json({"error": "processing failed"}, status=500)
            if statuses and self.ledger:
                try:
                    for status in statuses:
                        await record_status(status.message_id, status.status, status.error)
                except StoreUnavailable:
                    return response.json({"error": "statuses not recorded"}, status=503)  # Meta retries
            return response.json({"status": "received"})

        return webhook
