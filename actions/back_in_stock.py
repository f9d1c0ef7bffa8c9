"""Back in stock in the chat: offer, subscribe with a contact and explicit consent, cancel.

A stock answer for a sold-out size or colour offers "tell me when it's back" (a button whose
payload is the same stock question with ``stock_alert: subscribe``; typing "can you tell me when
the M is back?" asks the same). The subscription needs a contact, the one the channel proved (the
signed-in widget shopper's email, the WhatsApp number) or an email typed in, and a yes to "may we
message you once at <contact>?" (``back_in_stock_form``). It is stored
(:mod:`store.back_in_stock`), shown with its cancel button (``stock_alert: cancel``), and sent by
the outbound messages once the variant's stock rises.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.confirmations import YesNoQuestions, extract_confirmation, read_yes_no
from actions.identity import verified_email, verified_phone
from actions.marketing_consent import (
    MARKETING_SLOT,
    NOT_ASKED,
    NOT_ASKING,
    OFFER_SLOT,
    marketing_question,
    record_marketing_answer,
)
from actions.store_access import answers_store_failure, query_store
from core import clock
from store.back_in_stock import BackInStockError, Subscription, cancel, subscribe, subscriptions_of
from store.contact import find_contact

ALERT_ENTITY = "stock_alert"
TARGET_SLOT = "stock_alert_target"
"""What the shopper waits for: ``{product, title, size, color, variant, skus}``."""
CONTACT_SLOT, CONSENT_SLOT = "alert_contact", "alert_consent"
FORM = "back_in_stock_form"
NO_CONTACT = "none"
MAX_SKUS = 6
ASKS_FOR_ALERT = re.compile(
    r"\b(tell|let|notify|email|text|message|ping|alert|inform)\b.{0,20}\b(when|once|as soon as)\b.{0,30}"
    r"\b(back|restock(ed|s)?|in stock|available)\b",
    re.IGNORECASE,
)
"""A typed request to hear when something is back ("can you tell me when the M is back?"), not a
question about now ("can you tell me if the M is available?")."""


def alert_request(tracker: Tracker) -> Optional[str]:
    """``subscribe`` or ``cancel`` from a button's entity, ``subscribe`` for a typed request."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == ALERT_ENTITY and entity.get("value") in ("subscribe", "cancel"):
            return str(entity["value"])
    text = tracker.latest_message.get("text") or ""
    return "subscribe" if not text.startswith("/") and ASKS_FOR_ALERT.search(text) else None


def alert_payload(request: str, product: str, size: Optional[str], color: Optional[str]) -> str:
    """The stock question for ``product`` in that size and colour, with the alert request."""
    entities = {"product": product, "size": size, "color": color, ALERT_ENTITY: request}
    return "/product_stock" + json.dumps({k: v for k, v in entities.items() if v}, separators=(",", ":"))


def offer_alert(
    dispatcher: CollectingDispatcher, product: str, size: Optional[str], color: Optional[str]
) -> None:
    """The "tell me when it's back" button (its payload filled in) under a sold-out answer."""
    dispatcher.utter_message(
        response="utter_back_in_stock_offer",
        subscribe_payload=alert_payload("subscribe", product, size, color),
    )


def known_contact(tracker: Tracker) -> Optional[str]:
    """The contact the channel proved: the signed-in shopper's email, else the WhatsApp number."""
    return verified_email(tracker) or verified_phone(tracker)


def start_alert(
    tracker: Tracker, *, product: str, title: str, variant: str, size: Optional[str], color: Optional[str],
    skus: Sequence[str],
) -> List[EventType]:  # fmt: skip
    """Remember what the shopper waits for and ask for the contact and consent (the form)."""
    target = {"product": product, "title": title, "variant": variant, "size": size, "color": color,
              "skus": list(skus)[:MAX_SKUS]}  # fmt: skip
    return [
        SlotSet(TARGET_SLOT, target),
        SlotSet(CONTACT_SLOT, known_contact(tracker)),
        SlotSet(CONSENT_SLOT, None),
        SlotSet(MARKETING_SLOT, None),
        SlotSet(OFFER_SLOT, None),
        FollowupAction(FORM),
    ]


def _item(title: str, variant: str) -> str:
    """``Harbor Rain Shell (M / Navy)``: the product and the variant waited for, as data."""
    return f"{title} ({variant})" if variant else title


def _channel(contact: str) -> str:
    return "email" if "@" in contact else "whatsapp"


def subscribe_all(
    session: Session, *, skus: Sequence[str], conversation_id: str, contact: str, now: datetime
) -> List[Subscription]:
    """One subscription per sold-out SKU (those back in stock meanwhile are skipped)."""
    made = []
    for sku in skus:
        try:
            made.append(
                subscribe(session, sku=sku, conversation_id=conversation_id, channel=_channel(contact),
                          contact=contact, consent=True, now=now)
            )  # fmt: skip
        except BackInStockError as error:
            if error.code != "in_stock":
                raise
    return made


def cancel_for(session: Session, *, skus: Sequence[str], conversation_id: str, now: datetime) -> int:
    """Cancel the conversation's active subscriptions to these SKUs; how many were cancelled."""
    wanted = {sku.upper() for sku in skus}
    mine = [s for s in subscriptions_of(session, conversation_id) if s.sku in wanted]
    for subscription in mine:
        cancel(session, subscription_id=subscription.id, conversation_id=conversation_id, now=now)
    return len(mine)


async def cancel_alert(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, title: str, variant: str, skus: Sequence[str]
) -> None:
    """Cancel the shopper's alert for the variant and say so (or that there was none)."""
    cancelled = await query_store(cancel_for, skus=skus, conversation_id=tracker.sender_id, now=clock.now())
    response = "utter_back_in_stock_cancelled" if cancelled else "utter_back_in_stock_nothing_to_cancel"
    dispatcher.utter_message(response=response, product=_item(title, variant))


class ValidateBackInStockForm(YesNoQuestions, FormValidationAction):
    """An email (or the channel's proven contact), an explicit yes, then (once, where none stands)
    whether the shopper would also like offers there (:mod:`actions.marketing_consent`)."""

    yes_no_slots = frozenset({"alert_consent", "marketing_consent"})

    def name(self) -> str:
        return "validate_back_in_stock_form"

    async def validate_alert_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A proven contact as it is; a typed one must be an email; "no thanks" ends the form."""
        text = str(value or "").strip()
        if text and text == known_contact(tracker):
            return {CONTACT_SLOT: text}
        found = find_contact(text)
        if value == NO_CONTACT or (found is None and read_yes_no(text) is False):
            return {CONTACT_SLOT: NO_CONTACT, CONSENT_SLOT: False, **NOT_ASKING}
        if found is None or "@" not in found:
            dispatcher.utter_message(response="utter_back_in_stock_contact_invalid")
            return {CONTACT_SLOT: None}
        return {CONTACT_SLOT: found}

    async def extract_alert_consent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Reads "yes please" or "no, don't" as the answer to "may we message you?"."""
        return extract_confirmation(tracker, CONSENT_SLOT)

    async def validate_alert_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Only an explicit yes counts as consent; a yes leads to the marketing question if it is due."""
        if value is not True:
            return {CONSENT_SLOT: False, **NOT_ASKING}
        return {CONSENT_SLOT: True, **await marketing_question(tracker, tracker.get_slot(CONTACT_SLOT))}

    async def extract_marketing_consent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Reads "sure" or "no thanks" as the answer to the offers question."""
        return extract_confirmation(tracker, MARKETING_SLOT)

    async def validate_marketing_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return {MARKETING_SLOT: value if value in (True, False, NOT_ASKED) else None}


class ActionBackInStockSubscribe(Action):
    """Store the subscription the shopper agreed to and show it with its cancel button."""

    def name(self) -> str:
        return "action_back_in_stock_subscribe"

    @answers_store_failure(TARGET_SLOT, CONTACT_SLOT, CONSENT_SLOT, MARKETING_SLOT, OFFER_SLOT)
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        target: Dict[str, Any] = tracker.get_slot(TARGET_SLOT) or {}
        contact = tracker.get_slot(CONTACT_SLOT)
        done: List[EventType] = [
            SlotSet(TARGET_SLOT, None),
            SlotSet(CONTACT_SLOT, None),
            SlotSet(CONSENT_SLOT, None),
            SlotSet(MARKETING_SLOT, None),
            SlotSet(OFFER_SLOT, None),
        ]
        offers_agreed = await record_marketing_answer(tracker)
        if (
            not target.get("skus")
            or tracker.get_slot(CONSENT_SLOT) is not True
            or contact in (None, NO_CONTACT)
        ):
            dispatcher.utter_message(response="utter_back_in_stock_not_subscribed")
            return done
        made = await query_store(
            subscribe_all, skus=target["skus"], conversation_id=tracker.sender_id, contact=contact,
            now=clock.now(),
        )  # fmt: skip
        if not made:
            dispatcher.utter_message(response="utter_back_in_stock_already_back", product=target["title"])
        else:
            cancel_button = alert_payload(
                "cancel", target["product"], target.get("size"), target.get("color")
            )
            dispatcher.utter_message(
                response="utter_back_in_stock_subscribed", product=_item(target["title"], target["variant"]),
                contact=contact, cancel_payload=cancel_button,
            )  # fmt: skip
        if offers_agreed:
            dispatcher.utter_message(response="utter_marketing_consent_recorded", contact=contact)
        return done
