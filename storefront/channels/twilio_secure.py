"""Twilio (WhatsApp and SMS) channel that checks signatures and never blocks the event loop.

Rasa's built-in ``twilio`` channel accepts any POST and calls Twilio's synchronous client from
async code. This subclass keeps its name and routes (``/webhooks/twilio/webhook``) but:

- rejects requests without a valid ``X-Twilio-Signature`` (``RequestValidator`` over the public
  URL Twilio called, configurable because proxies change scheme, host and port);
- sends with Twilio's async HTTP client (:mod:`storefront.channels.twilio_output`), splitting
  text at 1,600 characters, and reports a refused or failed send as :class:`TwilioDeliveryError`;
- shows buttons as one numbered list the shopper answers with a number or a title;
- reads at most ``MAX_MESSAGE_CHARS`` of a message (Twilio retries a refused webhook);
- drops Twilio's re-deliveries by ``MessageSid`` and maps locations and media like the WhatsApp
  Cloud API channel does;
- takes STOP/START/HELP before the NLU (:mod:`storefront.channels.keywords`); on SMS Twilio's
  Advanced Opt-Out confirms them itself, so the channel only records them unless
  ``TWILIO_SMS_KEYWORD_REPLIES=true``.

Reference it in ``credentials.yml`` as ``storefront.channels.twilio_secure.SecureTwilioInput``.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional
from urllib.parse import parse_qs

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.twilio import TwilioInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from core.booleans import parse_bool
from store.consent import Channel
from store.keywords import keyword_of
from store.runner import StoreUnavailable
from storefront.channels import whatsapp_format as fmt
from storefront.channels.conversation_ids import conversation_id
from storefront.channels.keywords import Inbound, record_status, take_keyword
from storefront.channels.limits import DEFAULT_LIMITS, cap_text, install_request_limit, limit_settings
from storefront.channels.proactive_replies import with_proactive_context
from storefront.channels.twilio_output import SecureTwilioOutput, TwilioDeliveryError
from storefront.channels.whatsapp import add_lifecycle_routes, app_tracker_store
from storefront.channels.whatsapp_inbound import Intents, location_text
from storefront.channels.whatsapp_state import (
    ConversationFacts,
    OrderedDispatcher,
    RecentIds,
    SeenMessages,
    recent_ids_from_settings,
)
from storefront.trusted_metadata import client_record, verified_shopper

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class _FormParams(Dict[str, List[str]]):
    """Form fields with every value kept, in the shape ``RequestValidator`` reads."""

    def getlist(self, name: str) -> List[str]:
        return self[name]


class SecureTwilioInput(TwilioInput):
    """Receives Twilio webhooks for WhatsApp and SMS, checking ``X-Twilio-Signature``."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> SecureTwilioInput:
        """Build from ``credentials.yml``; missing or empty keys fall back to ``TWILIO_*`` settings."""
        from core.settings import get_settings

        settings = get_settings()
        given = {key: value for key, value in (credentials or {}).items() if value not in (None, "")}

        def pick(key: str, setting: str) -> str:
            return str(given.get(key, setting))

        return cls(
            pick("account_sid", settings.twilio_account_sid),
            pick("auth_token", settings.twilio_auth_token),
            pick("twilio_number", settings.twilio_number),
            webhook_url=pick("webhook_url", settings.twilio_webhook_url),
            api_base_url=pick("api_base_url", settings.twilio_api_base_url),
            background=parse_bool(given.get("background"), name="background", default=True),
            recent_ids=recent_ids_from_settings(cls.name(), settings),
            limits=limit_settings(),
            ledger=True,
            sms_keyword_replies=settings.twilio_sms_keyword_replies,
            status_url=settings.twilio_status_callback_url,
        )

    def __init__(
        self,
        account_sid: Optional[str],
        auth_token: Optional[str],
        twilio_number: Optional[str],
        *,
        webhook_url: str = "",
        api_base_url: str = "https://api.twilio.com",
        background: bool = True,
        intents: Intents = Intents(),
        tracker_store: Optional[Any] = None,
        recent_ids: Optional[SeenMessages] = None,
        limits: Optional[Dict[str, int]] = None,
        ledger: bool = False,
        sms_keyword_replies: bool = False,
        status_url: str = "",
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode=False)
        self.ledger, self.sms_keyword_replies = ledger, sms_keyword_replies
        self.status_url = status_url
        self.webhook_url, self.api_base_url = webhook_url, api_base_url
        self.intents = intents
        self.dispatcher = OrderedDispatcher(background=background)
        self.recent_ids: SeenMessages = recent_ids if recent_ids is not None else RecentIds()
        self._app: Any = None
        self._tracker_store = tracker_store
        self.facts = ConversationFacts(self._current_tracker_store, self.name(), ledger=ledger)
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}

    @property
    def enabled(self) -> bool:
        return bool(self.account_sid and self.auth_token and self.twilio_number)

    def _current_tracker_store(self) -> Optional[Any]:
        return self._tracker_store if self._tracker_store is not None else app_tracker_store(self._app)

    def _output(self, raise_errors: bool) -> SecureTwilioOutput:
        return SecureTwilioOutput(
            str(self.account_sid), str(self.auth_token), str(self.twilio_number),
            api_base_url=self.api_base_url, facts=self.facts, raise_errors=raise_errors,
        )  # fmt: skip

    def get_output_channel(self) -> SecureTwilioOutput:
        """An output channel for agent replies and proactive messages (errors are raised)."""
        return self._output(raise_errors=True)

    def signed_url(self, request: Request, public_url: Optional[str] = None) -> str:
        """The URL Twilio signed: the configured public URL (plus the query), else the request's."""
        public = self.webhook_url if public_url is None else public_url
        if not public:
            return request.url
        query = request.query_string
        return f"{public}?{query}" if query and "?" not in public else public

    def _signed_form(self, request: Request, public_url: str) -> tuple[_FormParams, Optional[HTTPResponse]]:
        """The form fields of a request whose ``X-Twilio-Signature`` is valid, else the refusal."""
        self._app = request.app
        if not self.enabled:
            return _FormParams(), response.json({"error": "the Twilio channel is not configured"}, status=503)
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return _FormParams(), response.json({"error": f"missing {SIGNATURE_HEADER}"}, status=401)
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:
            return _FormParams(), response.json({"error": "the body is not UTF-8"}, status=400)
        form = _FormParams(parse_qs(body, keep_blank_values=True, strict_parsing=False))
        url = self.signed_url(request, public_url)
        if not RequestValidator(str(self.auth_token)).validate(url, form, signature):
            logger.warning("twilio.webhook.bad_signature url=%s", url)
            return form, response.json({"error": "invalid signature"}, status=403)
        return form, None

    def message_text(self, form: Dict[str, List[str]], metadata: Dict[str, Any]) -> Optional[str]:
        """What the bot reads: typed text, a location, or media."""
        first = {name: values[0] for name, values in form.items() if values}
        body = first.get("Body", "").strip()
        if first.get("Latitude") and first.get("Longitude"):
            location = {"latitude": first["Latitude"], "longitude": first["Longitude"]}
            for field, key in (("Label", "name"), ("Address", "address")):
                if first.get(field):
                    location[key] = first[field]
            return location_text(location, self.intents, metadata)
        count = first.get("NumMedia", "0")
        media_count = int(count) if count.isdigit() else 0
        if media_count:
            metadata["media"] = {"url": first.get("MediaUrl0"), "mime_type": first.get("MediaContentType0")}
        if body:
            # typed text never reaches Rasa as "/intent{entities}": only our own options may do that
            return body.lstrip("/") or None
        if media_count:
            kind = (first.get("MediaContentType0") or "").split("/")[0]
            media_type = kind if kind in {"image", "video", "audio"} else "document"
            return f'/{self.intents.media}{{"media_type": "{media_type}"}}'
        return None

    async def _took_keyword(self, sender: str, text: str, metadata: Dict[str, Any]) -> bool:
        """Note the message in the store; True when it was STOP/START/HELP (handled here)."""
        phone = metadata.get("phone")
        if not self.ledger or not phone:
            return False
        channel = Channel.WHATSAPP if metadata.get("channel") == "whatsapp" else Channel.SMS
        typed = text if "location" not in metadata and "media" not in metadata else None
        reply = channel is Channel.WHATSAPP or self.sms_keyword_replies
        try:
            return await take_keyword(
                Inbound(channel, phone, sender, typed), self._output(False), reply=reply
            )
        except StoreUnavailable:
            if typed is not None and keyword_of(typed, channel=channel) is not None:
                raise  # an opt-out that was not recorded: answer 500 so that Twilio retries
            logger.exception("twilio.inbound.not_noted sender=%s", sender)
            return False

    async def _deliver(
        self, sender: str, message_id: str, text: str, metadata: Dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:  # fmt: skip
        if await self._took_keyword(sender, text, metadata):
            return
        text = cap_text(text, self.limits["MAX_MESSAGE_CHARS"], channel=self.name())
        options = await self.facts.take_offered_options(sender)
        payload = fmt.match_numbered_answer(text, options)
        if payload is not None:
            text, metadata = payload, {**metadata, "typed_text": text}
        if self.ledger and metadata.get("phone"):
            metadata = await with_proactive_context(
                metadata,
                channel=Channel.WHATSAPP if metadata.get("channel") == "whatsapp" else Channel.SMS,
                address=metadata["phone"],
                conversation_id=sender,
            )
        await on_new_message(
            UserMessage(
                text, self._output(raise_errors=False), sender, input_channel=self.name(),
                message_id=message_id, metadata=metadata,
            )
        )  # fmt: skip

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Health, webhook and delivery-status (``/status``, Twilio's ``StatusCallback``) routes."""
        webhook = Blueprint("storefront_twilio_webhook", __name__)
        install_request_limit(webhook, self.limits["MAX_REQUEST_BYTES"])
        add_lifecycle_routes(webhook, self)

        @webhook.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            """Twilio's ``StatusCallback`` for messages the outbox sent, signed like the webhook."""
            form, refused = self._signed_form(request, self.status_url)
            if refused is not None:
                return refused
            first = {name: values[0] for name, values in form.items() if values}
            sid, state = first.get("MessageSid", ""), first.get("MessageStatus", "")
            if not sid or not state:
                return response.json({"error": "MessageSid and MessageStatus are required"}, status=400)
            error = first.get("ErrorCode") or None
            try:
                await record_status(sid, state, f"Twilio error {error}" if error else None)
            except StoreUnavailable:
                return response.json({"error": "status not recorded"}, status=503)  # Twilio retries
            return response.text("", status=204)

        @webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            form, refused = self._signed_form(request, self.webhook_url)
            if refused is not None:
                return refused
            first = {name: values[0] for name, values in form.items() if values}
            number, message_id = first.get("From", ""), first.get("MessageSid", "")
            if not number or not message_id:
                return response.json({"error": "From and MessageSid are required"}, status=400)
            sender = conversation_id(self.name(), number)
            phone = number.removeprefix("whatsapp:")
            metadata: Dict[str, Any] = {
                "channel": "whatsapp" if number.startswith("whatsapp:") else "sms",
                "provider": "twilio",
                "message_id": message_id,
                "phone": phone if phone.startswith("+") else None,
                "wa_id": first.get("WaId"),
                "profile_name": first.get("ProfileName"),
            }
            # the request's signature was checked above, so the sender's number is Twilio's word
            metadata["shopper"] = verified_shopper(
                metadata["channel"], metadata["phone"], metadata["wa_id"], metadata["profile_name"],
                proved_by=self.name(),
            )  # fmt: skip
            metadata["client"] = client_record(self.name(), number)
            text = self.message_text(form, metadata)
            metadata = {key: value for key, value in metadata.items() if value is not None}
            if text is None:
                return response.text(EMPTY_TWIML, content_type="text/xml")
            if not self.recent_ids.add(message_id):
                logger.info("twilio.webhook.duplicate sid=%s", message_id)
                return response.text(EMPTY_TWIML, content_type="text/xml")
            try:
                await self.dispatcher.submit(
                    sender,
                    lambda: self._deliver(sender, message_id, text, metadata, on_new_message),
                    lambda: self.recent_ids.forget(message_id),
                )
            except Exception:
                logger.exception("twilio.webhook.processing_failed sid=%s", message_id)
                return response.json({"error": "processing failed"}, status=500)
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return webhook


__all__ = ["SecureTwilioInput", "SecureTwilioOutput", "TwilioDeliveryError"]
