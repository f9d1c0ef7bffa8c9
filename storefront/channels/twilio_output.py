"""Sending to a shopper through Twilio's Messages API without blocking the event loop.

Text is split at Twilio's 1,600 characters, buttons become one numbered list, and a refused or
failed send is a :class:`TwilioDeliveryError` (a ``ChannelDeliveryError``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

import aiohttp
from rasa.core.channels.twilio import TwilioOutput
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from storefront.channels import whatsapp_format as fmt
from storefront.channels.conversation_ids import native_id
from storefront.channels.delivery import ChannelDeliveryError
from storefront.channels.whatsapp_state import ConversationFacts

logger = logging.getLogger(__name__)

BODY_LIMIT = 1600


class TwilioDeliveryError(ChannelDeliveryError):
    """Twilio refused a message (``status`` and ``code`` are Twilio's) or gave no answer (0, None)."""

    def __init__(self, message: str, status: int = 0, code: Optional[int] = None):
        super().__init__(message)
        self.status, self.code = status, code


def _delivery_error(recipient: str, error: Exception) -> TwilioDeliveryError:
    if isinstance(error, TwilioRestException):
        return TwilioDeliveryError(
            f"Twilio answered {error.status} (code {error.code}) for {recipient}: {error.msg}",
            error.status, error.code,
        )  # fmt: skip
    return TwilioDeliveryError(f"no answer from Twilio for {recipient}: {error!r}")


def _to(recipient_id: str) -> str:
    """Twilio's ``From``/``To`` for a conversation id (``twilio:whatsapp:+1...`` -> ``whatsapp:+1...``)."""
    return native_id("twilio", recipient_id)


class SecureTwilioOutput(TwilioOutput):
    """Sends to one shopper through Twilio's Messages API without blocking the event loop."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        twilio_number: str,
        *,
        api_base_url: str = "https://api.twilio.com",
        facts: Optional[ConversationFacts] = None,
        raise_errors: bool = True,
    ) -> None:
        Client.__init__(
            self, account_sid, auth_token, http_client=AsyncTwilioHttpClient(pool_connections=False)
        )
        self.api.base_url = api_base_url.rstrip("/")
        self.twilio_number = twilio_number
        self.facts, self.raise_errors = facts, raise_errors
        self.sent_sids: List[str] = []

    def _sender_for(self, recipient_id: str) -> str:
        """Our number on the recipient's channel: ``whatsapp:+1...`` for WhatsApp, else plain."""
        number = self.twilio_number.removeprefix("whatsapp:")
        return f"whatsapp:{number}" if _to(recipient_id).startswith("whatsapp:") else number

    def _addressed(self, recipient_id: str, **fields: Any) -> Dict[str, Any]:
        """Messages API parameters for the shopper of conversation ``recipient_id``."""
        return {"to": _to(recipient_id), "from_": self._sender_for(recipient_id), **fields}

    async def _send_message(self, message_data: Dict[str, Any]) -> Any:
        try:
            message = await self.messages.create_async(**message_data)
        except (TwilioException, aiohttp.ClientError, asyncio.TimeoutError) as error:
            if self.raise_errors:
                raise _delivery_error(str(message_data.get("to")), error) from error
            logger.exception("twilio.send.failed to=%s", message_data.get("to"))
            return None
        self.sent_sids.append(message.sid)
        return message

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send text in as few messages as fit Twilio's 1,600-character limit."""
        for chunk in fmt.split_text(text, BODY_LIMIT):
            await self._send_message(self._addressed(recipient_id, body=chunk))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """One message: the text, then ``1. title`` per button, answered with the number."""
        options = fmt.options_from_buttons(buttons)
        if self.facts is not None:
            self.facts.memory.remember(recipient_id, options)
        await self.send_text_message(recipient_id, fmt.numbered_text(text or "", options))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send_message(self._addressed(recipient_id, media_url=[image]))

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        """A response's ``custom.twilio`` object is sent as Messages API parameters."""
        payload = json_message.get("twilio") if isinstance(json_message, dict) else None
        if isinstance(payload, dict):
            await self._send_message(self._addressed(recipient_id, **payload))


__all__ = ["BODY_LIMIT", "SecureTwilioOutput", "TwilioDeliveryError"]
