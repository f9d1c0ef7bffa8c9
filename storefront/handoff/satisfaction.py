"""The rating asked after an agent closes a chat (the assistant asks at a goodbye: actions/satisfaction.py).

The question is the domain's ``utter_ask_satisfaction`` on the shopper's channel (widget buttons,
WhatsApp reply buttons, numbered SMS options); the time asked goes into ``csat_asked_at`` so the
shopper is not asked again within a day, here or at a goodbye (:func:`store.satisfaction.may_ask`).
A tapped rating then runs the assistant's own rule (data/rules/satisfaction.yml).
"""

from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, SlotSet

from core import clock
from store.runner import StoreUnavailable
from store.satisfaction import handoff_open, may_ask
from storefront.handoff.conversation import ACTION_LISTEN, ConversationDesk
from storefront.handoff.views import run_store

RATING_MARKER = {"handoff": "satisfaction"}


async def offer_rating(conversations: ConversationDesk, conversation_id: str) -> bool:
    """Ask the shopper to rate the chat unless asked within a day or a person still has it.

    Returns:
        Whether the question was recorded (delivered or not: REST conversations cannot push).
    """
    now = clock.now()
    tracker = await conversations.tracker(conversation_id)
    try:
        busy = await run_store(handoff_open, conversation_id=conversation_id)
    except StoreUnavailable:
        return False  # the chat is closed already; a rating is not worth failing that answer
    if not may_ask(asked_at=tracker.get_slot("csat_asked_at"), now=now, handoff_open=busy):
        return False
    question = await conversations.render("utter_ask_satisfaction", tracker)
    await conversations.say(
        conversation_id, question, RATING_MARKER,
        after=[SlotSet("csat_asked_at", now.isoformat()), ActionExecuted(ACTION_LISTEN)],
    )  # fmt: skip
    return True
