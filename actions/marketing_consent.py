"""Marketing consent in the chat: asked once in words a shopper understands, withdrawn on request.

The question comes where the shopper has just given us a way to reach them: as the last question
of the back-in-stock alert (``back_in_stock_form``), when that contact has no marketing consent
standing and has not said no lately (``messaging.consent.ask_again_after_days``; a STOP counts as
a no). It is never asked in another flow's form or during a handoff (a paused conversation runs no
action). The answer, yes or no, goes into the consent ledger with the words the shopper was shown
(source ``chat``), so what they agreed to can be shown later.

"Stop sending me offers" (``stop_marketing``) withdraws marketing consent on every address the
conversation knows: the number it is written from, the email the channel proved, the contacts of
its back-in-stock alerts, and the widget conversation itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.identity import latest_input_channel, verified_email, verified_phone
from actions.store_access import answers_store_failure, query_store, query_store_or
from core import clock
from core.responses import response_text
from store.back_in_stock import subscriptions_of
from store.consent import (
    Channel,
    Purpose,
    Source,
    grant,
    may_ask,
    normalize_address,
    withdraw,
    withdraw_marketing,
)
from store.info import store_country
from store.messaging_config import messaging_config
from store.outbox_rules import weekly_cap_for

MARKETING_SLOT, OFFER_SLOT = "marketing_consent", "marketing_consent_offer"
NOT_ASKED = "not_asked"
ASK_RESPONSE = "utter_ask_marketing_consent"
NOT_ASKING: Dict[str, Any] = {MARKETING_SLOT: NOT_ASKED, OFFER_SLOT: None}


def contact_channel(contact: str, conversation_id: str) -> Channel:
    """The ledger channel of a contact given in the chat: email, else the number's messaging app."""
    if "@" in contact:
        return Channel.EMAIL
    if conversation_id.startswith(("whatsapp:", "twilio:whatsapp:")):
        return Channel.WHATSAPP
    return Channel.SMS if conversation_id.startswith("twilio:") else Channel.WHATSAPP


def marketing_offer(
    session: Session, *, channel: Channel, contact: str, now: datetime
) -> Optional[Dict[str, Any]]:
    """What to ask about (channel, address, the weekly cap it promises), None when not to ask."""
    config = messaging_config(session)
    address = normalize_address(channel, contact, region=store_country(session))
    if not may_ask(
        session,
        channel=channel,
        address=address,
        now=now,
        ask_again_after=timedelta(days=config.ask_again_after_days),
    ):
        return None
    weekly_cap = weekly_cap_for(session, channel=channel, address=address, config=config)
    return {
        "channel": channel.value,
        "address": address,
        "contact": contact.strip(),
        "weekly_cap": weekly_cap,
    }


async def marketing_question(tracker: Tracker, contact: Optional[str]) -> Dict[str, Any]:
    """The form's slots for the marketing question: ask it (the offer set) or skip it.

    The question is optional: when the store cannot answer, it is skipped rather than failing the
    alert the shopper asked for.
    """
    if not contact or contact == "none":
        return dict(NOT_ASKING)
    channel = contact_channel(contact, tracker.sender_id)
    offer = await query_store_or(None, marketing_offer, channel=channel, contact=contact, now=clock.now())
    return {MARKETING_SLOT: None, OFFER_SLOT: offer} if offer else dict(NOT_ASKING)


class ActionAskMarketingConsent(Action):
    """Ask the question and keep the exact words shown with the offer (for the ledger)."""

    def name(self) -> str:
        return "action_ask_marketing_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        offer: Dict[str, Any] = dict(tracker.get_slot(OFFER_SLOT) or {})
        values = {"contact": offer.get("contact", ""), "weekly_cap": offer.get("weekly_cap", "")}
        offer["wording"] = response_text(ASK_RESPONSE, latest_input_channel(tracker), values)
        dispatcher.utter_message(response=ASK_RESPONSE, **values)
        return [SlotSet(OFFER_SLOT, offer)]


def record_answer(session: Session, *, offer: Dict[str, Any], answer: bool, now: datetime) -> bool:
    """Write the shopper's yes or no to the ledger with the words shown; True when it is a yes."""
    channel = Channel(offer["channel"])
    common = dict(
        channel=channel, address=offer["address"], purpose=Purpose.MARKETING, source=Source.CHAT, now=now
    )
    if answer:
        grant(session, wording=offer.get("wording", ""), **common)  # type: ignore[arg-type]
    else:
        withdraw(session, wording=offer.get("wording", ""), **common)  # type: ignore[arg-type]
    return answer


async def record_marketing_answer(tracker: Tracker) -> bool:
    """Record the answer to the question, if it was asked and answered; True for a new yes."""
    offer, answer = tracker.get_slot(OFFER_SLOT), tracker.get_slot(MARKETING_SLOT)
    if not isinstance(offer, dict) or not offer.get("wording") or answer not in (True, False):
        return False
    return await query_store(record_answer, offer=offer, answer=bool(answer), now=clock.now())


def conversation_contacts(tracker: Tracker) -> List[tuple[Channel, str]]:
    """Every address of this shopper the conversation knows, for a withdrawal."""
    conversation = tracker.sender_id
    contacts: List[tuple[Channel, str]] = []
    if conversation.startswith("whatsapp:"):
        contacts.append((Channel.WHATSAPP, "+" + conversation.removeprefix("whatsapp:").lstrip("+")))
    elif conversation.startswith("twilio:whatsapp:"):
        contacts.append((Channel.WHATSAPP, conversation.removeprefix("twilio:whatsapp:")))
    elif conversation.startswith("twilio:"):
        contacts.append((Channel.SMS, conversation.removeprefix("twilio:")))
    else:
        contacts.append((Channel.WIDGET, conversation))
    if verified_email(tracker):
        contacts.append((Channel.EMAIL, str(verified_email(tracker))))
    phone = verified_phone(tracker)
    if phone and contacts[0][0] not in (Channel.WHATSAPP, Channel.SMS):
        contacts.append((Channel.WHATSAPP, phone))
    return contacts


def withdraw_for_conversation(
    session: Session, *, conversation_id: str, contacts: Sequence[tuple[Channel, str]], now: datetime
) -> int:
    """Withdraw marketing on ``contacts`` and on the contacts of the conversation's alerts."""
    alerts = [
        (contact_channel(s.contact, conversation_id), s.contact)
        for s in subscriptions_of(session, conversation_id)
    ]
    return withdraw_marketing(session, contacts=[*contacts, *alerts], source=Source.CHAT, now=now)


class ActionWithdrawMarketingConsent(Action):
    """Withdraw on "stop sending me offers": marketing consent everywhere we know, and say so."""

    def name(self) -> str:
        return "action_withdraw_marketing_consent"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        await query_store(
            withdraw_for_conversation,
            conversation_id=tracker.sender_id,
            contacts=conversation_contacts(tracker),
            now=clock.now(),
        )
        dispatcher.utter_message(response="utter_marketing_withdrawn")
        return []
