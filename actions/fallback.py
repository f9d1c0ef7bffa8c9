"""Two-stage fallback: first ask to rephrase with the likeliest topics, then hand off.

The FallbackClassifier turns a low-confidence message into ``nlu_fallback``. The first time,
the shopper is asked to rephrase and offered the intents the classifier ranked highest as
buttons (titles from the ``utter_topic_<intent>`` responses). When the very next message is
also ``nlu_fallback``, the conversation goes to a person with ``handoff_reason=nlu_fallback``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import perform_handoff
from store.codes import HandoffReason

FALLBACK_INTENT = "nlu_fallback"
MAX_TOPICS = 3
TOPIC_RESPONSE_PREFIX = "utter_topic_"


def previous_user_intent(tracker: Tracker) -> Optional[str]:
    """The intent of the shopper's message before the latest one (None if there is none)."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") in ("resume", "restart", "session_started") and seen_latest:
            return None  # a person or a new session came in between: start counting again
        if event.get("event") != "user":
            continue
        if not seen_latest:
            seen_latest = True
            continue
        return ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    return None


def topic_buttons(tracker: Tracker, domain: Dict[str, Any], limit: int = MAX_TOPICS) -> List[Dict[str, str]]:
    """Buttons for the intents the classifier ranked highest that have a topic title."""
    responses = domain.get("responses") or {}
    buttons: List[Dict[str, str]] = []
    for ranked in (tracker.latest_message or {}).get("intent_ranking") or []:
        name = ranked.get("name")
        variants = responses.get(f"{TOPIC_RESPONSE_PREFIX}{name}") or []
        if not name or name == FALLBACK_INTENT or not variants:
            continue
        buttons.append({"title": variants[0]["text"], "payload": f"/{name}"})
        if len(buttons) == limit:
            break
    return buttons


class ActionStorefrontFallback(Action):
    """Rephrase with topic buttons on the first miss; a person on the second miss in a row."""

    def name(self) -> str:
        return "action_storefront_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        if previous_user_intent(tracker) == FALLBACK_INTENT:
            return await perform_handoff(dispatcher, tracker, reason=HandoffReason.NLU_FALLBACK)
        dispatcher.utter_message(response="utter_fallback_rephrase", buttons=topic_buttons(tracker, domain))
        return []
