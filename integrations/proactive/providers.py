"""Senders for the outbox worker: WhatsApp Cloud API, Twilio (SMS), SMTP (email).

Each ``send`` returns the provider's message id or raises :class:`ProviderError`, which says
whether trying again is safe. Only answers that prove the provider did not take the message
(a refused connection, 429, 5xx, Meta's 131049 per-user limit) are retried; a timeout after the
request went out might have been delivered, so it is not (the outbox never sends twice).
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Dict, Optional, Protocol

import requests

from core.settings import Settings
from integrations.proactive.render import Outgoing, template_parameter

TIMEOUT_SECONDS = 10.0
OPTED_OUT_CODES = {131050, 21610}  # Meta: the user stopped marketing; Twilio: the number sent STOP
RETRY_CODES = {131049, 130429, 20429}  # per-user marketing limit, rate limits


class ProviderError(Exception):
    """A send that failed; ``retry`` is True only when the provider certainly did not take it."""

    def __init__(self, message: str, *, retry: bool, code: Optional[int] = None) -> None:
        super().__init__(message)
        self.retry, self.code = retry, code

    @property
    def opted_out(self) -> bool:
        return self.code in OPTED_OUT_CODES


class Sender(Protocol):
    def send(self, message: Outgoing) -> str: ...


def _post(url: str, **kwargs: Any) -> requests.Response:
    try:
        return requests.post(url, timeout=TIMEOUT_SECONDS, **kwargs)
    except requests.ConnectionError as error:
        # refused or unreachable: nothing reached the provider (a read timeout is not this)
        if isinstance(error, requests.ConnectTimeout) or "Connection refused" in str(error):
            raise ProviderError(f"no connection to {url}", retry=True) from error
        raise ProviderError(f"connection to {url} failed mid-request: {error}", retry=False) from error
    except requests.Timeout as error:
        raise ProviderError(f"no answer from {url} in time (it may have been sent)", retry=False) from error


def _json(response: requests.Response) -> Dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class WhatsAppCloudSender:
    """``POST {base}/{version}/{phone_number_id}/messages`` with a bearer token."""

    base_url: str
    version: str
    phone_number_id: str
    access_token: str

    def payload(self, message: Outgoing) -> Dict[str, Any]:
        to = message.recipient.lstrip("+")
        if message.template is None:
            return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": message.text}}
        template = message.template
        body = {"type": "body", "parameters": [{"type": "text", "text": template_parameter(message.text)}]}
        return {
            "messaging_product": "whatsapp",
            "to": to,
            "type": "template",
            "template": {
                "name": template.name,
                "language": {"code": template.language},
                "components": [body],
            },
        }

    def send(self, message: Outgoing) -> str:
        url = f"{self.base_url.rstrip('/')}/{self.version}/{self.phone_number_id}/messages"
        answer = _post(
            url, json=self.payload(message), headers={"Authorization": f"Bearer {self.access_token}"}
        )
        data = _json(answer)
        if answer.status_code >= 400 or "error" in data:
            found = data.get("error")
            error: Dict[str, Any] = found if isinstance(found, dict) else {}
            code = error.get("code")
            retry = answer.status_code >= 500 or answer.status_code == 429 or code in RETRY_CODES
            raise ProviderError(
                f"WhatsApp answered {answer.status_code} (code {code}): {error.get('message')}",
                retry=retry,
                code=code,
            )
        try:
            return str(data["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise ProviderError("WhatsApp named no message id", retry=False) from None


@dataclass(frozen=True)
class TwilioSender:
    """Twilio's Messages API (form-encoded, HTTP Basic auth), with ``StatusCallback``."""

    base_url: str
    account_sid: str
    auth_token: str
    number: str
    status_callback: str = ""

    def send(self, message: Outgoing) -> str:
        whatsapp = message.channel == "whatsapp"
        if whatsapp and message.template is not None:
            raise ProviderError(
                "WhatsApp templates through Twilio need a ContentSid (not set up)", retry=False
            )
        prefix = "whatsapp:" if whatsapp else ""
        form = {
            "To": prefix + message.recipient,
            "From": prefix + self.number.removeprefix("whatsapp:"),
            "Body": message.text,
        }
        if self.status_callback:
            form["StatusCallback"] = self.status_callback
        url = f"{self.base_url.rstrip('/')}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        answer = _post(url, data=form, auth=(self.account_sid, self.auth_token))
        data = _json(answer)
        if answer.status_code >= 400:
            code = data.get("code")
            raise ProviderError(
                f"Twilio answered {answer.status_code} (code {code}): {data.get('message')}",
                retry=answer.status_code >= 500 or answer.status_code == 429,
                code=code,
            )
        return str(data.get("sid"))


@dataclass(frozen=True)
class SmtpSender:
    """Plain-text email through an SMTP server (STARTTLS and login when configured)."""

    host: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    starttls: bool = True
    list_unsubscribe: str = ""

    def send(self, message: Outgoing) -> str:
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = self.sender, message.recipient, message.subject or ""
        if self.list_unsubscribe:
            email["List-Unsubscribe"] = f"<mailto:{self.list_unsubscribe}?subject=unsubscribe>"
        email["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        email.set_content(message.text)
        try:
            client = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
        except OSError as error:
            raise ProviderError(f"no connection to SMTP {self.host}:{self.port}", retry=True) from error
        try:
            with client:
                if self.starttls:
                    client.starttls()
                if self.username:
                    client.login(self.username, self.password)
                client.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            raise ProviderError(f"the SMTP server refused {message.recipient}", retry=False) from error
        except smtplib.SMTPResponseException as error:
            raise ProviderError(
                f"SMTP answered {error.smtp_code}", retry=400 <= error.smtp_code < 500, code=error.smtp_code
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            raise ProviderError(f"SMTP failed: {error}", retry=False) from error
        return str(email["Message-ID"])


def senders_from_settings(settings: Settings) -> Dict[str, Sender]:
    """The providers that are configured, by channel (WhatsApp: the Cloud API, else Twilio)."""
    senders: Dict[str, Sender] = {}
    twilio: Optional[TwilioSender] = None
    if settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_number:
        twilio = TwilioSender(
            settings.twilio_api_base_url,
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_number,
            settings.twilio_status_callback_url,
        )
        senders["sms"] = twilio
        if settings.twilio_number.startswith("whatsapp:"):
            senders["whatsapp"] = twilio
    if settings.whatsapp_access_token and settings.whatsapp_phone_number_id:
        senders["whatsapp"] = WhatsAppCloudSender(
            settings.whatsapp_api_base_url,
            settings.whatsapp_api_version,
            settings.whatsapp_phone_number_id,
            settings.whatsapp_access_token,
        )
    if settings.smtp_host and settings.smtp_from:
        senders["email"] = SmtpSender(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            settings.smtp_username,
            settings.smtp_password,
            settings.smtp_starttls,
            list_unsubscribe=settings.smtp_from,
        )
    return senders
