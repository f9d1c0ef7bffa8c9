"""A shopper who did not follow ("what do you mean?", "huh?") hears it again, more plainly.

The classifier reads such messages as ``clarify`` (data/nlu/clarify.yml), neither frustration,
which would fetch a person, nor a yes: "huh" at "Cancel it?" once cancelled an order. Inside a
flow the question waiting for an answer is explained in other words when the domain has an
``utter_clarify_<slot>`` response for it, then the flow asks it again (the form runs after this
action, data/rules/digressions.yml). Outside a flow the assistant's last turn (its messages
since the shopper's previous message, at most :data:`MAX_REPEATED`) is said again after a short
apology, with their buttons and response names, so a yes or no that follows is read as the answer
to it (:func:`actions.questions.question_asked`). Before the assistant has said anything, it says
what it can do.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.questions import bot_messages_before_latest

EXPLAIN_PREFIX = "utter_clarify_"
INTRO = "utter_clarify"
MAX_REPEATED = 5
"""The last turn's messages said again (its question is last; a long product list is cut)."""


def explanation(tracker: Tracker, domain: Dict[str, Any]) -> Optional[str]:
    """The response that explains the active flow's question, if the domain has one."""
    slot = tracker.get_slot("requested_slot")
    name = f"{EXPLAIN_PREFIX}{slot}"
    return name if slot and name in (domain.get("responses") or {}) else None


def last_turn(tracker: Tracker) -> List[Dict[str, Any]]:
    """The assistant's messages with text between the shopper's previous and latest message (their
    events, in order, the last :data:`MAX_REPEATED`), without the intro of a clarification."""
    said = [
        e
        for e in reversed(bot_messages_before_latest(tracker))
        if e.get("text") and (e.get("metadata") or {}).get("utter_action") != INTRO
    ]
    return said[-MAX_REPEATED:]


class ActionClarify(Action):
    """Say the question again in other words inside a flow; else repeat the last message."""

    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        if (tracker.active_loop or {}).get("name"):
            dispatcher.utter_message(response=explanation(tracker, domain) or "utter_clarify_in_flow")
            return []  # the flow asks its question again
        said = last_turn(tracker)
        if not said:
            dispatcher.utter_message(response="utter_clarify_nothing_said")
            return []
        dispatcher.utter_message(response=INTRO)
        for event in said:
            response = (event.get("metadata") or {}).get("utter_action")
            extra = {"utter_action": response} if response else {}
            buttons = (event.get("data") or {}).get("buttons") or []
            dispatcher.utter_message(text=event["text"], buttons=buttons, **extra)
        return []
