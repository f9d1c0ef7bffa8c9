"""Sending Rasa responses to a shopper through the WhatsApp Cloud API (Meta's Graph API).

Free-form messages may go out only within 24 hours of the shopper's last message. Outside that
window (an agent answering late, a proactive message) the configured approved template is sent
with the text as its single body variable, or :class:`WhatsAppWindowClosedError` is raised when
no template is configured. Shoppers who sent STOP get no template messages at all.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

import aiohttp
from rasa.core.channels.channel import OutputChannel

from storefront.channels import whatsapp_format as fmt
from storefront.channels.conversation_ids import native_id
from storefront.channels.delivery import ChannelDeliveryError
from storefront.channels.whatsapp_state import WINDOW_SECONDS, ConversationFacts

logger = logging.getLogger(__name__)


class WhatsAppDeliveryError(ChannelDeliveryError):
    """A message could not be delivered to the shopper on WhatsApp."""


class WhatsAppApiError(WhatsAppDeliveryError):
    """The Graph API refused a message (``code`` is Meta's error code when it sent one)."""

    def __init__(self, status: int, code: Optional[int], message: str):
        super().__init__(f"WhatsApp Cloud API answered {status} (code {code}): {message}")
        self.status, self.code, self.api_message = status, code, message


class WhatsAppWindowClosedError(WhatsAppDeliveryError):
    """The shopper last wrote more than 24 hours ago and no approved template is configured."""

    def __init__(self, conversation_id: str, last_inbound_at: Optional[float]):
        when = (
            "never"
            if last_inbound_at is None
            else f"at {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(last_inbound_at))}"
        )
        super().__init__(
            f"Cannot message WhatsApp conversation {conversation_id}: the shopper last wrote {when}, "
            f"more than 24 hours ago, and WHATSAPP_TEMPLATE_NAME is not set"
        )
        self.conversation_id, self.last_inbound_at = conversation_id, last_inbound_at


class WhatsAppOptedOutError(WhatsAppDeliveryError):
    """The shopper sent STOP, so business-initiated (template) messages are not allowed."""

    def __init__(self, conversation_id: str):
        super().__init__(
            f"WhatsApp conversation {conversation_id} opted out of messages the shopper did not ask for"
        )
        self.conversation_id = conversation_id


@dataclass(frozen=True)
class GraphApiConfig:
    """Where and as whom to send: ``{base_url}/{version}/{phone_number_id}/messages``."""

    base_url: str
    version: str
    phone_number_id: str
    access_token: str
    template_name: str = ""
    template_language: str = "en_US"
    timeout_seconds: float = 10.0

    @property
    def messages_url(self) -> str:
        return f"{self.base_url.rstrip('/')}/{self.version}/{self.phone_number_id}/messages"


class GraphApiClient:
    """A small async client for the Messages endpoint; one HTTP session per server process."""

    def __init__(self, config: GraphApiConfig):
        self.config = config
        self._session: Optional[aiohttp.ClientSession] = None

    async def send(self, message: Dict[str, Any]) -> str:
        """POST one message; return its ``wamid`` or raise :class:`WhatsAppApiError`."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.config.timeout_seconds)
            )
        headers = {"Authorization": f"Bearer {self.config.access_token}"}
        try:
            async with self._session.post(
                self.config.messages_url, json=message, headers=headers
            ) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            raise WhatsAppApiError(0, None, f"no answer from the Graph API: {error!r}") from error
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = {}
        if status >= 400 or not isinstance(data, dict) or "error" in data:
            details = data.get("error") if isinstance(data, dict) else None
            details = details if isinstance(details, dict) else {}
            raise WhatsAppApiError(status, details.get("code"), str(details.get("message") or text[:200]))
        messages = data.get("messages")
        if not isinstance(messages, list) or not messages or not isinstance(messages[0], dict):
            raise WhatsAppApiError(status, None, "the answer names no message id")
        return str(messages[0].get("id"))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def recipient_field(conversation_id: str) -> Dict[str, str]:
    """``to`` for a WhatsApp id (digits), ``recipient`` for a business-scoped user id.

    ``conversation_id`` is the namespaced id (``whatsapp:<id>``, see
    :mod:`storefront.channels.conversation_ids`); Meta gets the id without the prefix.
    """
    recipient = native_id("whatsapp", conversation_id)
    return {"to": recipient} if recipient.isdigit() else {"recipient": recipient}


class WhatsAppOutput(OutputChannel):
    """Sends bot and agent messages to one WhatsApp shopper.

    Args:
        client: the Graph API client.
        facts: reads the last inbound time and the opt-out from the tracker store.
        inbound_at: when the message being answered was sent; None for messages nobody asked for.
        raise_errors: raise delivery errors (agent console, proactive sends) instead of logging
            them (replies inside Rasa's message handling, where raising would lose the turn).
        list_button_label: the label of the button that opens a list (from the domain); without
            one, options that need a list are sent as numbered text.
    """

    def __init__(
        self,
        client: GraphApiClient,
        facts: ConversationFacts,
        *,
        inbound_at: Optional[float] = None,
        raise_errors: bool = True,
        list_button_label: Optional[str] = None,
        clock: Callable[[], float] = time.time,
    ):
        self.client, self.facts = client, facts
        self.inbound_at, self.raise_errors = inbound_at, raise_errors
        self.list_button_label = list_button_label
        self._clock = clock
        self._window_open: Optional[bool] = None
        self.sent_ids: List[str] = []

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    async def window_is_open(self, recipient_id: str) -> bool:
        """Whether the shopper wrote within the last 24 hours (checked once per instance)."""
        if self._window_open is None:
            last = self.inbound_at
            if last is None or self._clock() - last >= WINDOW_SECONDS:
                stored = await self.facts.last_inbound_at(recipient_id)
                last = max(x for x in (last, stored, float("-inf")) if x is not None)
            self._window_open = self._clock() - last < WINDOW_SECONDS
        return self._window_open

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Send one Rasa response, as a template when the 24-hour window is closed."""
        try:
            if await self.window_is_open(recipient_id):
                await super().send_response(recipient_id, message)
            else:
                await self._send_template(recipient_id, message)
        except WhatsAppDeliveryError:
            if self.raise_errors:
                raise
            logger.exception("whatsapp.send.failed conversation=%s", recipient_id)

    async def _send_template(self, recipient_id: str, message: Dict[str, Any]) -> None:
        config = self.client.config
        text = message.get("text")
        if not config.template_name or not text:
            last = await self.facts.last_inbound_at(recipient_id)
            raise WhatsAppWindowClosedError(recipient_id, last)
        if await self.facts.opted_out(recipient_id):
            raise WhatsAppOptedOutError(recipient_id)
        await self._post(
            fmt.template_message(
                recipient_field(recipient_id), config.template_name, config.template_language,
                fmt.template_parameter(str(text)),
            )
        )  # fmt: skip

    async def _post(self, message: Dict[str, Any]) -> None:
        self.sent_ids.append(await self.client.send(message))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send text, split under 4,096 characters on paragraph, sentence or word boundaries."""
        for chunk in fmt.split_text(text):
            await self._post(fmt.text_message(recipient_field(recipient_id), chunk))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Reply buttons (up to 3), a list (up to 10) or numbered text, whichever fits."""
        options = fmt.options_from_buttons(buttons)
        label = kwargs.get("list_button") or self.list_button_label
        layout = fmt.choose_layout(options)
        if (layout == fmt.LAYOUT_LIST and not label) or not (text or "").strip():
            layout = fmt.LAYOUT_NUMBERED
        self.facts.memory.remember(recipient_id, options)
        if layout == fmt.LAYOUT_NUMBERED:
            await self.send_text_message(recipient_id, fmt.numbered_text(text or "", options))
            return
        chunks = fmt.split_text(text)
        body_chunks = fmt.split_text(chunks.pop(), fmt.INTERACTIVE_BODY_LIMIT)
        for chunk in chunks + body_chunks[:-1]:
            await self._post(fmt.text_message(recipient_field(recipient_id), chunk))
        recipient, body = recipient_field(recipient_id), body_chunks[-1]
        if layout == fmt.LAYOUT_BUTTONS:
            await self._post(fmt.reply_buttons_message(recipient, body, options))
        else:
            await self._post(fmt.list_message(recipient, body, options, str(label)))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._post(fmt.image_message(recipient_field(recipient_id), image))

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """A link attachment becomes a document message; anything else is not sent."""
        if isinstance(attachment, str) and attachment.startswith(("https://", "http://")):
            await self._post(fmt.document_message(recipient_field(recipient_id), attachment))
        else:
            logger.warning("whatsapp.send.attachment_skipped conversation=%s", recipient_id)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        """A response's ``custom.whatsapp`` object is sent as a Graph API message as it is.

        Custom payloads meant for other channels (the web widget's) are not shown on WhatsApp.
        """
        payload = json_message.get("whatsapp") if isinstance(json_message, dict) else None
        if isinstance(payload, dict):
            await self._post({"messaging_product": "whatsapp", **recipient_field(recipient_id), **payload})
