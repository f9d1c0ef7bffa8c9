"""A local SMTP server (aiosmtpd) that keeps what it received, for the email channel's tests.

It speaks real SMTP on 127.0.0.1 (its own thread), refuses recipients on ``refused`` with 550,
and records each accepted envelope with the parsed message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, List, Set

from aiosmtpd.controller import Controller

from tools.launcher import free_port


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: List[str]
    message: EmailMessage


@dataclass
class FakeSmtp:
    received: List[ReceivedMail] = field(default_factory=list)
    refused: Set[str] = field(default_factory=set)
    port: int = 0
    _controller: Any = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def start(self) -> FakeSmtp:
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
