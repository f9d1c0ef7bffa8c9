"""What an outbox message says on its channel, from the domain's responses.

SMS carries the brand and the opt-out wording (``utter_proactive_sms_wrapper``); email has a
subject per trigger and a footer saying why the shopper gets it; WhatsApp sends the text, or,
outside the 24-hour window, the approved template with the text as its one body variable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from core.responses import response_text
from store.messaging_config import Template


@dataclass(frozen=True)
class Outgoing:
    """One message ready for a provider."""

    channel: str
    recipient: str
    text: str
    subject: Optional[str] = None
    template: Optional[Template] = None
    extra: Dict[str, Any] = field(default_factory=dict)


def template_parameter(text: str) -> str:
    """Meta refuses template text parameters with newlines, tabs or 5+ spaces in a row."""
    return re.sub(r"\s+", " ", text).strip()[:1024]


def render(
    *,
    channel: str,
    recipient: str,
    trigger: str,
    response: str,
    params: Dict[str, Any],
    brand: str,
    support_email: str,
    template: Optional[Template] = None,
) -> Outgoing:
    """The message for ``channel`` with the trigger's ``params`` filled in."""
    values = {"brand": brand, "support_email": support_email, **params}
    text = response_text(response, channel, values)
    if channel == "sms":
        return Outgoing(
            channel,
            recipient,
            response_text("utter_proactive_sms_wrapper", "sms", {**values, "message": text}),
        )
    if channel == "email":
        subject = response_text(f"utter_proactive_email_subject_{trigger}", "email", values)
        footer = response_text("utter_proactive_email_footer", "email", values)
        return Outgoing(channel, recipient, f"{text}\n\n--\n{footer}", subject=subject)
    return Outgoing(channel, recipient, text, template=template)
