"""Off-hours handoff: check the contact the shopper leaves (``handoff_contact_form``)."""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.confirmations import YesNoQuestions, extract_confirmation, read_yes_no
from actions.handoff import NO_CONTACT
from store.contact import compact_phone, find_contact


def normalise_contact(text: str) -> Optional[str]:
    """An email address (lower case) or a phone number (digits, leading +), else None."""
    contact = find_contact(text)
    return compact_phone(contact) if contact and "@" not in contact else contact


class ValidateHandoffContactForm(YesNoQuestions, FormValidationAction):
    """Accept an email or phone number, or "no thanks" (reply in the chat instead)."""

    yes_no_slots = frozenset({"handoff_consent"})

    def name(self) -> str:
        return "validate_handoff_contact_form"

    async def validate_handoff_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A usable contact; declining ("no thanks", "nah I'm fine") skips the consent question."""
        contact = normalise_contact(str(value or ""))
        if value == NO_CONTACT or (contact is None and read_yes_no(str(value or "")) is False):
            return {"handoff_contact": NO_CONTACT, "handoff_consent": False}
        if contact is None:
            dispatcher.utter_message(response="utter_handoff_contact_invalid")
            return {"handoff_contact": None}
        return {"handoff_contact": contact}

    async def extract_handoff_consent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Reads "sure, go ahead" or "nah, rather not" as the answer to "may we contact you?"."""
        return extract_confirmation(tracker, "handoff_consent")

    async def validate_handoff_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Only an explicit yes counts as consent."""
        return {"handoff_consent": value is True}
