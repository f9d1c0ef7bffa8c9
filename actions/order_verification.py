"""Order verification shared by every form that reads or changes an order.

A form that touches an order asks for ``order_number`` and ``order_contact`` (the email or phone on
the order). The store answers "no such order for that contact" the same way, after the same work,
for an unknown number and for a wrong contact, and so do we: the shopper never learns whether a
number exists. A contact a channel has proved (WhatsApp number, signed-in email) is tried too and
counts only if it matches. Failed guesses are counted by the store per order number, contact and
client address (``store/verification.py``); past the limit the shopper is offered a person.

An order verified once stays in context for the rest of the session: a later form that needs an
order ("can I return it?", "change the address", "where's my refund for it?") starts with it
(``extract_order_number``) instead of asking again, and the validators check it against the store
once more with the contact it was verified with. Naming another order number switches orders. A
new session starts without it (``action_session_start`` carries no order or contact over).

Each flow adds its own check after verification (``after_verification``): cancellable? any items
within the return window? A check that ends the flow explains why and stops the form by setting
``requested_slot`` to None; the form's submit action then finds nothing confirmed and stays quiet.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from datetime import timedelta
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalog import ActionProductStock
from actions.forms import stop_form
from actions.handoff_triggers import COUNTER_SLOT, HandoffOnRepeatedFailure
from actions.identity import client_address, verified_contacts
from actions.page_context import proactive_context
from actions.store_access import query_store
from core.settings import get_settings
from store.codes import HandoffReason
from store.contact import find_contact, find_order_number
from store.orders import OrderView, find_order
from store.verification import GuessLimit, VerificationOutcome, verify_order

MAX_LOOKUP_ATTEMPTS = 2
"""Wrong number/contact pairs before we stop asking and offer a person instead."""

LOCKED_RESPONSE = "utter_verification_locked"

HAS_NO_NUMBER = re.compile(
    r"\b(?:(?:do|did|does)(?:n'?t| not) (?:have|know|remember|get|keep)|dont (?:have|know)|have no|got no"
    r"|(?:can'?t|cannot|couldn'?t|can not) (?:find|remember|see|locate)|lost|forgot\w*|deleted|no idea"
    r"|never (?:got|received))\b",
    re.IGNORECASE,
)
"""Words of a shopper without the order number ("I don't have it", "I can't find the email")."""


def guess_limit() -> GuessLimit:
    """The store-wide limit on failed verifications (``VERIFICATION_*`` settings)."""
    settings = get_settings()
    return GuessLimit(
        max_failures=settings.verification_max_failures,
        window=timedelta(seconds=settings.verification_window_seconds),
    )


def _answering_something_else(tracker: Tracker, slot: str) -> bool:
    """True when the order is verified and the form asked for another slot than ``slot``."""
    requested = tracker.get_slot("requested_slot")
    return bool(tracker.get_slot("verified_order")) and requested is not None and requested != slot


def _value_before_this_turn(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message (the extraction overwrote it since)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def _inside_the_contact_given(tracker: Tracker, value: Any) -> bool:
    """True when ``value``'s digits are part of a phone number in the latest message.

    "My number is (312) 555-0103" can also read as an order number entity ("555-0103"): it is
    the contact the form asked for, not another order.
    """
    contact = find_contact((tracker.latest_message or {}).get("text") or "")
    digits = re.sub(r"\D", "", str(value or ""))
    return contact is not None and bool(digits) and digits in re.sub(r"\D", "", contact)


def order_in_context(tracker: Tracker) -> Optional[str]:
    """The number of the order this session verified, while its contact is still known."""
    number, contact = tracker.get_slot("verified_order"), tracker.get_slot("order_contact")
    return str(number) if number and contact else None


def order_of_update(tracker: Tracker) -> Optional[str]:
    """The order of the order update the shopper is answering ("where is it now?" after "your
    order #1001 shipped"). Only the number: verification still needs a contact on that order,
    which on WhatsApp and SMS is the number the update was sent to (the order's own phone)."""
    context = proactive_context(tracker)
    if not str(context.get("trigger") or "").startswith("order_"):
        return None
    number = find_order_number(context.get("order"))
    return str(number) if number is not None else None


def answered_order(tracker: Tracker) -> Optional[Tuple[str, str]]:
    """``(order number, contact)`` when the form verified the order the shopper just asked about.

    None when it did not (the form has already said why), so a submit action stays quiet.
    """
    number, contact = tracker.get_slot("verified_order"), tracker.get_slot("order_contact")
    if not number or not contact or str(tracker.get_slot("order_number")) != str(number):
        return None
    return str(number), str(contact)


async def verified_order_view(tracker: Tracker) -> Optional[OrderView]:
    """The order this conversation verified, fresh from the store (None when none is verified).

    Raises:
        StoreUnavailable: the store could not answer.
    """
    number, contact = tracker.get_slot("verified_order"), tracker.get_slot("order_contact")
    if not number or not contact:
        return None
    return await query_store(find_order, order_number=number, contact=contact)


ORDER_QUESTIONS = ("order_number", "order_contact")
STOCK_QUESTION = "product_stock"


def stock_question_at_an_order_question(tracker: Tracker) -> bool:
    """Whether the shopper asked about a product's stock while the form waits for the order.

    "Actually, do you have the Chelsea Boot in a 9?" where the order number is asked: a topic
    switch, not a wrong number. (At the return form's item questions a product is an answer.)
    """
    message = tracker.latest_message or {}
    names = {e.get("entity") for e in message.get("entities") or []}
    return (
        tracker.get_slot("requested_slot") in ORDER_QUESTIONS
        and (message.get("intent") or {}).get("name") == STOCK_QUESTION
        and "product" in names
    )


class OrderFormValidator(HandoffOnRepeatedFailure):
    """Validates ``order_number``/``order_contact`` and verifies the pair against the store."""

    @abstractmethod
    def name(self) -> str:
        """Each concrete form's validator names itself ``validate_<form>``."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """A stock question asked instead of the order is answered; the form then asks again."""
        if stock_question_at_an_order_question(tracker):
            answered = await ActionProductStock().run(dispatcher, tracker, domain)
            return [*answered, SlotSet(str(tracker.get_slot("requested_slot")), None)]
        return await super().run(dispatcher, tracker, domain)

    async def extract_order_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The order in context when the shopper named none: follow-ups are about that order.

        Runs before validation on every turn of the form; a number the shopper gave (typed, or
        an entity in the message that started the form) is already in the slot and wins.
        """
        if tracker.get_slot("order_number") is not None:
            return {}
        number = order_in_context(tracker) or order_of_update(tracker)
        return {"order_number": number} if number else {}

    async def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Accept anything that reads as an order number; verification happens once both are in.

        Once the order is verified, a number-like entity in a later answer (a postal code, a size)
        does not switch orders: the shopper says "stop" and starts again for another order.
        """
        if _answering_something_else(tracker, "order_number"):
            return {"order_number": tracker.get_slot("verified_order")}
        asked_contact = tracker.get_slot("requested_slot") == "order_contact"
        if asked_contact and _inside_the_contact_given(tracker, value):
            return {"order_number": _value_before_this_turn(tracker, "order_number")}
        number = find_order_number(value)
        if number is None:
            contact = find_contact(value)
            if contact is not None:
                # "ok then it's dev@example.com" after a failed lookup: the contact is kept for the
                # order number still to come, and no failure counted (the question is asked again)
                dispatcher.utter_message(response="utter_order_contact_noted")
                return {
                    "order_number": None,
                    "order_contact": contact,
                    COUNTER_SLOT: tracker.get_slot(COUNTER_SLOT),
                }
        if number is None and isinstance(value, str) and HAS_NO_NUMBER.search(value):
            # "I don't have the order number": where to find it and who can find the order instead;
            # no failure counted, the question is asked again
            dispatcher.utter_message(response="utter_order_number_missing")
            return {"order_number": None, COUNTER_SLOT: tracker.get_slot(COUNTER_SLOT)}
        if number is None:
            dispatcher.utter_message(response="utter_order_number_invalid")
        return {"order_number": str(number) if number is not None else None}

    async def validate_order_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Accept an email or a phone number (kept once the order is verified, as above)."""
        if _answering_something_else(tracker, "order_contact"):
            return {"order_contact": _value_before_this_turn(tracker, "order_contact")}
        contact = find_contact(value)
        if contact is None:
            dispatcher.utter_message(response="utter_order_contact_invalid")
        return {"order_contact": contact}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Validate each slot, then verify the order when the number or contact just changed."""
        just_set = tracker.slots_to_validate()
        events = await super().get_validation_events(dispatcher, tracker, domain)
        if not ({"order_number", "order_contact"} & set(just_set)):
            return events
        extra = await self._verify(dispatcher, tracker, contact_is_new="order_contact" in just_set)
        tracker.add_slots(extra)
        return events + extra

    async def _verify(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, *, contact_is_new: bool
    ) -> List[EventType]:
        number = tracker.get_slot("order_number")
        typed = tracker.get_slot("order_contact")
        if not number:
            return []
        proved = verified_contacts(tracker)
        if not typed and not proved:
            return []  # the form asks for the contact next
        # a store failure here is answered by the validators' failure policy (HandoffOnRepeatedFailure)
        checks = self._checks_the_order()
        attempt = await query_store(
            verify_order, order_number=number, typed_contact=typed, proved_contacts=proved,
            client=client_address(tracker), limit=guess_limit(), with_order=checks,
        )  # fmt: skip
        if attempt.outcome is VerificationOutcome.LOCKED:
            return self._locked_out(dispatcher)
        if attempt.outcome is VerificationOutcome.VERIFIED and attempt.contact is not None:
            events: List[EventType] = [
                SlotSet("order_contact", attempt.contact),
                SlotSet("verified_order", number),
                SlotSet("order_lookup_attempts", None),
            ]
            if not checks:
                return events
            assert attempt.order is not None
            return events + await self.after_verification(attempt.order, attempt.contact, dispatcher, tracker)
        if not (typed and contact_is_new):
            # Only a remembered or channel-proved contact failed: ask for the one on this order.
            return [SlotSet("order_contact", None), SlotSet("verified_order", None)]
        return self._not_found(dispatcher, tracker)

    @staticmethod
    def _locked_out(dispatcher: CollectingDispatcher) -> List[EventType]:
        """Too many failures for this order, contact or client: stop asking, offer a person."""
        dispatcher.utter_message(response=LOCKED_RESPONSE)
        return [
            SlotSet("order_number", None),
            SlotSet("order_contact", None),
            SlotSet("verified_order", None),
            SlotSet("order_lookup_attempts", None),
            SlotSet("handoff_reason", HandoffReason.FORM_FAILED),
            *stop_form(),
        ]

    @staticmethod
    def _not_found(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        attempts = int(tracker.get_slot("order_lookup_attempts") or 0) + 1
        cleared: List[EventType] = [
            SlotSet("order_number", None),
            SlotSet("order_contact", None),
            SlotSet("verified_order", None),
        ]
        if attempts >= MAX_LOOKUP_ATTEMPTS:
            dispatcher.utter_message(response="utter_order_not_found_final")
            return [
                *cleared,
                SlotSet("order_lookup_attempts", None),
                SlotSet("handoff_reason", HandoffReason.FORM_FAILED),
                *stop_form(),
            ]
        dispatcher.utter_message(response="utter_order_not_found")
        return [*cleared, SlotSet("order_lookup_attempts", float(attempts))]

    async def after_verification(
        self, order: OrderView, contact: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> List[EventType]:
        """The flow's own check once the order is verified (default: none)."""
        return []

    def _checks_the_order(self) -> bool:
        """Whether this flow has a check of its own: only then is the verified order loaded.

        A form without one (where is my order?) needs to know that the contact matches, not the
        order's lines, shipments and returns; its submit action loads the order it reports.
        """
        return type(self).after_verification is not OrderFormValidator.after_verification
