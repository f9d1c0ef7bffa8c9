"""Session start: carry slots over and remember which channel the shopper is on."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionSessionStart(Action):
    """Start a session, keeping filled slots and recording the shopper's channel."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        for slot, value in tracker.current_slot_values().items():
            if value is not None and slot != "session_started_metadata":
                events.append(SlotSet(slot, value))
        channel = tracker.get_latest_input_channel()
        if channel:
            events.append(SlotSet("channel", channel))
        events.append(ActionExecuted("action_listen"))
        return events
