"""Yes or no to a question the assistant asked outside a form.

Forms read their own yes/no questions (:mod:`actions.confirmations`). Outside a form the
assistant still asks: it offers a person ("A member of our team can chase the carrier",
"Would you like to talk to a person?") and asks whether there is anything else. A "sure, go
ahead" or "nah I'm fine" then answers *that* question, which is the one the shopper last saw:
the response names of the bot's messages since the shopper's previous message (Rasa 3.6 records
them as ``metadata.utter_action`` on each ``bot`` event) say which it was.

- a yes to an offer of a person hands off (with the reason the offering flow recorded); a no
  keeps the bot, saying so (inside a form a yes to such an offer ends the form and hands off:
  :func:`accepts_offer_of_a_person`);
- a yes to an offer to start a flow ("I can start a return for you") starts its form; a no says
  the flow was not started;
- a yes to "anything else?" asks what; a no says goodbye;
- a yes or no to nothing we asked gets "what can I help with?".

``affirm`` and ``deny`` outside a form come here (data/rules/chitchat.yml), and so does a message
the classifier was unsure of that plainly reads as yes or no right after such a question
(:func:`pending_answer`, used by the fallback action).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.confirmations import confirmation_answer, read_yes_no
from actions.handoff import perform_handoff
from store.contact import find_contact, find_order_number

PERSON_OFFERS = frozenset(
    {
        "utter_default",
        "utter_order_delayed",
        "utter_refund_late",
        "utter_store_unavailable",
        "utter_assistant_unavailable",
        "utter_payment_offer_person",
        "utter_discount_next_steps",
        "utter_iamabot",
        "utter_order_not_found",
        "utter_order_not_found_final",
        "utter_product_fact_unknown",
        "utter_product_fact_store_unknown",
        "utter_order_item_missing",
    }
)
"""Responses that offer a person: a yes to them is a yes to a person."""
ANYTHING_ELSE = frozenset(
    {
        "utter_you_are_welcome",
        "utter_handoff_bot_back",
        "utter_return_not_started",
        "utter_shipping_next_steps",
        "utter_form_stopped",
        "utter_catalog_stopped",
    }
)
"""Responses that ask whether the shopper needs anything else."""
FLOW_OFFERS: Dict[str, Tuple[str, str]] = {
    "utter_refund_none": ("return_form", "utter_return_not_started"),
}
"""Responses that offer to start a flow ("I can start a return for you"): the form a yes starts
(the verified order stays in context, so it is not asked for again) and what a no gets."""
YES_NO_QUESTIONS = PERSON_OFFERS | ANYTHING_ELSE | frozenset(FLOW_OFFERS)

REPLIES: Dict[tuple, str] = {
    ("person", False): "utter_person_declined",
    ("anything_else", True): "utter_ask_what_else",
    ("anything_else", False): "utter_goodbye",
    (None, True): "utter_ask_what_else",
    (None, False): "utter_ask_what_else",
}


def bot_messages_before_latest(tracker: Tracker) -> List[Dict[str, Any]]:
    """The bot's message events between the shopper's previous and latest message, newest first."""
    found: List[Dict[str, Any]] = []
    seen_latest = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_latest:
                break
            seen_latest = True
        elif kind == "bot" and seen_latest:
            found.append(event)
    return found


def responses_since_shopper_spoke(tracker: Tracker) -> Set[str]:
    """Response names of the bot's messages between the shopper's previous and latest message."""
    names = (
        (event.get("metadata") or {}).get("utter_action") for event in bot_messages_before_latest(tracker)
    )
    return {name for name in names if name}


def question_asked(tracker: Tracker) -> Optional[str]:
    """``"person"``, ``"flow"``, ``"anything_else"`` or None: the yes/no question being answered."""
    asked = responses_since_shopper_spoke(tracker)
    if asked & PERSON_OFFERS:
        return "person"
    if asked & FLOW_OFFERS.keys():
        return "flow"
    if asked & ANYTHING_ELSE:
        return "anything_else"
    return None


def accepts_offer_of_a_person(tracker: Tracker) -> bool:
    """Whether the latest message says yes to a person the assistant has just offered.

    Inside a form too: "Let's try once more, or I can get a person to help" leaves the form
    waiting for the order number, and "yes please" is then an answer to the offer, not a number
    (the form validators end the form and hand off, :mod:`actions.handoff_triggers`). A message
    that carries an order number, an email or a phone ("ok then it's dev@example.com") is an
    answer to the form's question, not a yes to the person.
    """
    if question_asked(tracker) != "person" or confirmation_answer(tracker) is not True:
        return False
    text = str((tracker.latest_message or {}).get("text") or "")
    return find_contact(text) is None and find_order_number(text) is None


def pending_answer(tracker: Tracker) -> Optional[bool]:
    """The latest message as a plain yes or no to a question we just asked, else None."""
    if question_asked(tracker) is None:
        return None
    return read_yes_no(str((tracker.latest_message or {}).get("text") or ""))


async def answer_question(dispatcher: CollectingDispatcher, tracker: Tracker, yes: bool) -> List[EventType]:
    """Act on a yes or no to the question the shopper last saw (module docstring); a yes to a
    person is the handoff itself, which speaks for itself."""
    question = question_asked(tracker)
    if question == "person" and yes:
        return await perform_handoff(dispatcher, tracker)
    if question == "flow":
        offer = next(name for name in FLOW_OFFERS if name in responses_since_shopper_spoke(tracker))
        form, declined = FLOW_OFFERS[offer]
        if yes:
            return [FollowupAction(form)]
        dispatcher.utter_message(response=declined)
        return []
    dispatcher.utter_message(response=REPLIES[(question, yes)])
    return []


class ActionAnswerYesNo(Action):
    """``affirm``/``deny`` (or plain yes/no words) outside a form."""

    def name(self) -> str:
        return "action_answer_yes_no"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        return await answer_question(dispatcher, tracker, yes=confirmation_answer(tracker) is True)
