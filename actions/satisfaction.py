"""Satisfaction: offer a one-tap rating at a goodbye, record it, and thank for the comment.

* ``action_offer_satisfaction`` runs after ``utter_goodbye`` (data/rules/satisfaction.yml). It asks
  with ``utter_ask_satisfaction`` (buttons whose payload is ``/inform{"csat_score":"N"}``: widget
  buttons, WhatsApp reply buttons, numbered SMS options) unless the shopper was asked within a day
  or a person has the conversation (:func:`store.satisfaction.may_ask`).
* ``action_record_satisfaction`` keeps a valid rating (the ``csat_score`` slot, which the insights
  read from the tracker store) and starts ``satisfaction_comment_form`` (a FollowupAction), which
  asks ``utter_ask_csat_comment`` for an optional comment; a rating nobody asked for, or not 1 to 5,
  is dropped.
* ``action_thank_for_feedback`` thanks once the comment (or "no thanks") is in.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.store_access import query_store_or
from core import clock
from store.satisfaction import clean_comment, handoff_open, may_ask, parse_asked_at, valid_score

COMMENT_FORM = "satisfaction_comment_form"


class ActionOfferSatisfaction(Action):
    """Ask for a rating at the natural end of a conversation."""

    def name(self) -> str:
        return "action_offer_satisfaction"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        """``utter_ask_satisfaction`` and the time asked, or nothing (also when the store cannot say
        whether a person has the conversation: a goodbye is no place for an apology)."""
        now = clock.now()
        busy = await query_store_or(True, handoff_open, conversation_id=tracker.sender_id)
        if not may_ask(asked_at=tracker.get_slot("csat_asked_at"), now=now, handoff_open=busy):
            return []
        dispatcher.utter_message(response="utter_ask_satisfaction")
        return [SlotSet("csat_asked_at", now.isoformat())]


class ActionRecordSatisfaction(Action):
    """Keep the tapped rating and ask for a comment; drop a rating that was not asked for."""

    def name(self) -> str:
        return "action_record_satisfaction"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        """The rating stays in ``csat_score`` and the comment form starts, or both are undone."""
        score = valid_score(tracker.get_slot("csat_score"))
        if score is None or parse_asked_at(tracker.get_slot("csat_asked_at")) is None:
            dispatcher.utter_message(response="utter_satisfaction_not_asked")
            return [SlotSet("csat_score", None), SlotSet("csat_comment", None)]
        return [
            SlotSet("csat_score", str(score)),
            SlotSet("csat_comment", None),
            FollowupAction(COMMENT_FORM),
        ]


class ActionThankForFeedback(Action):
    """Thank the shopper once the optional comment is in."""

    def name(self) -> str:
        return "action_thank_for_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        """``utter_satisfaction_thanks``; the comment is stored trimmed (empty for "no thanks")."""
        dispatcher.utter_message(response="utter_satisfaction_thanks")
        comment = tracker.get_slot("csat_comment")
        return [SlotSet("csat_comment", clean_comment(comment))] if comment is not None else []
