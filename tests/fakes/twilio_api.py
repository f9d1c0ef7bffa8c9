"""A fake of Twilio's Programmable Messaging API (``Messages.json``).

``POST /2010-04-01/Accounts/<AccountSid>/Messages.json`` with HTTP Basic auth (account sid and
auth token) and a form-encoded body: ``To``, ``From`` (or ``MessagingServiceSid``), and ``Body``
(at most 1,600 characters) or ``MediaUrl``. WhatsApp needs ``whatsapp:`` on both ``To`` and
``From``. Errors use Twilio's JSON error object and codes; success is 201 with the message.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional
from urllib.parse import parse_qs

from aiohttp import web

from tests.fakes.server import FakeServer, RecordedRequest

KNOWN_PARAMS = {
    "To", "From", "MessagingServiceSid", "Body", "MediaUrl", "StatusCallback", "ContentSid",
    "ContentVariables", "ApplicationSid", "MaxPrice", "ProvideFeedback", "Attempt",
    "ValidityPeriod", "SmartEncoded", "ShortenUrls", "SendAt", "ScheduleType",
}  # fmt: skip
_ADDRESS = re.compile(r"(whatsapp:)?\+[1-9]\d{6,14}")


@dataclass
class FakeTwilioApi(FakeServer):
    """The fake Twilio REST API for one account."""

    account_sid: str = "AC" + "0" * 31 + "1"
    auth_token: str = "test-twilio-token"
    gate: Optional[asyncio.Event] = None  # when set, answers wait until the test opens it
    unavailable: bool = False  # when set, every request gets Twilio's 503 (an outage)
    received: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{tail:.*}", self._handle)

    def messages(self) -> List[Dict[str, List[str]]]:
        """Form fields of the accepted messages, in order."""
        return [request.body for request in self.accepted()]

    @staticmethod
    def _error(status: int, code: int, message: str) -> web.Response:
        return web.json_response(
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
            status=status,
        )

    async def _handle(self, request: web.Request) -> web.Response:
        raw = (await request.read()).decode("utf-8", "replace")
        form = parse_qs(raw, keep_blank_values=True)
        record = RecordedRequest(request.method, request.path, dict(request.headers), form)
        self.requests.append(record)
        self.received.set()
        if self.gate is not None:
            await self.gate.wait()
        answer = self._answer(request, form)
        record.status = answer.status
        return answer

    def _authorized(self, header: Optional[str]) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return header == f"Basic {expected}"

    def _answer(self, request: web.Request, form: Dict[str, List[str]]) -> web.Response:
        if self.unavailable:
            return self._error(503, 20503, "Service Unavailable")
        path = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        if not self._authorized(request.headers.get("Authorization")):
            return self._error(401, 20003, "Authenticate")
        if request.method != "POST" or request.path != path:
            return self._error(404, 20404, "The requested resource was not found")
        if request.content_type != "application/x-www-form-urlencoded":
            return self._error(400, 21620, "The body must be form-encoded")
        unknown = set(form) - KNOWN_PARAMS
        if unknown:
            return self._error(400, 21600, f"Unknown parameters {sorted(unknown)}")
        to, sender = form.get("To", [""])[0], form.get("From", [""])[0]
        body, media = form.get("Body", [""])[0], form.get("MediaUrl", [])
        if not to:
            return self._error(400, 21604, "A 'To' phone number is required.")
        if not sender and not form.get("MessagingServiceSid"):
            return self._error(400, 21603, "A 'From' phone number is required.")
        if not _ADDRESS.fullmatch(to) or (sender and not _ADDRESS.fullmatch(sender)):
            return self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if sender and to.startswith("whatsapp:") != sender.startswith("whatsapp:"):
            return self._error(
                400, 21910, "Invalid From and To pair. From and To should be of the same channel"
            )
        if not body and not media:
            return self._error(400, 21602, "Message body is required.")
        if len(body) > 1600:
            return self._error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        sid = f"SM{next(self._ids):032d}"
        return web.json_response(
            {
                "sid": sid, "account_sid": self.account_sid, "to": to, "from": sender, "body": body,
                "status": "queued", "num_media": str(len(media)), "num_segments": "1",
                "direction": "outbound-api", "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
            status=201,
        )  # fmt: skip
