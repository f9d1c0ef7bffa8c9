"""A new session starts without proof of identity (``action_session_start``).

Rasa's default session start copies every slot into the new session (``carry_over_slots``), so an
order verified an hour ago, the contact typed for it and the return or address change in progress
would still be there for whoever writes next on the same device, and the agent console would show
them as verified. This action carries over only what describes the shopping, never anything that
names a person or an order: a new session has to verify again.

It also runs when a client sends ``/session_start`` (Rasa's default rule): the widget does that
when the shopper signs out, so signing out ends the verification at once. The session's metadata
is then that message's own (not the previous session's, which may hold a signed-in shopper).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import SESSION_METADATA_SLOT

CARRIED_SLOTS = frozenset(
    {"country", "product", "category", "color", "size", "usual_size", "usual_product", "csat_asked_at"}
)
"""Slots a new session keeps: what the shopper was browsing, and when they were last asked for a
rating (a new session must not ask again within the day). Orders, contacts, returns, address
changes, handoff details and body measurements all stay with the old session."""


def _session_metadata(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The metadata this session starts with.

    When the session ends because it expired, Rasa has just set the slot from the new message.
    When a client asked for it (``/session_start``: no action ran since the latest user message),
    that message's metadata.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "action":
            break
        if event.get("event") == "user":
            metadata = event.get("metadata")
            return metadata if isinstance(metadata, dict) and metadata else None
    value = tracker.get_slot(SESSION_METADATA_SLOT)
    return value if isinstance(value, dict) and value else None


class ActionSessionStart(Action):
    """Start a session with the browsing context only."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """``session_started``, the carried slots, the session's metadata, then listen."""
        events: List[EventType] = [SessionStarted()]
        events += [
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if name in CARRIED_SLOTS and value is not None
        ]
        metadata = _session_metadata(tracker)
        if metadata is not None:
            events.append(SlotSet(SESSION_METADATA_SLOT, metadata))
        events.append(ActionExecuted("action_listen"))
        return events
