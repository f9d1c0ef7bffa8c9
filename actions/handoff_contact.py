"""Off-hours handoff: check the contact the shopper leaves (``handoff_contact_form``)."""

from __future__ import annotations

import re
from typing import Any, Dict

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import NO_CONTACT

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_PHONE_CHARS = re.compile(r"^\+?[\d\s().-]+$")


def normalise_contact(text: str) -> str | None:
    """An email address (lower case) or a phone number (digits, leading +), else None."""
    value = text.strip().strip(".,;")
    if _EMAIL.match(value):
        return value.lower()
    if _PHONE_CHARS.match(value):
        digits = re.sub(r"\D", "", value)
        if 7 <= len(digits) <= 15:
            return ("+" if value.startswith("+") else "") + digits
    return None


class ValidateHandoffContactForm(FormValidationAction):
    """Accept an email or phone number, or "no thanks" (reply in the chat instead)."""

    def name(self) -> str:
        return "validate_handoff_contact_form"

    async def validate_handoff_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A usable contact; declining skips the consent question."""
        if value == NO_CONTACT:
            return {"handoff_contact": NO_CONTACT, "handoff_consent": False}
        contact = normalise_contact(str(value or ""))
        if contact is None:
            dispatcher.utter_message(response="utter_handoff_contact_invalid")
            return {"handoff_contact": None}
        return {"handoff_contact": contact}

    async def validate_handoff_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Only an explicit yes counts as consent."""
        return {"handoff_consent": value is True}
