"""Leaving a form: "stop", "never mind" or "cancel" ends whatever form is running.

The rule deactivates the form first (``action_deactivate_loop``); this action then forgets the
half-given answers, so the next time the flow starts it asks afresh, and offers what to do next.

At a yes/no confirmation, "no, leave it as it is" often reads as ``stop``: there it is a refusal,
so the shopper hears that nothing changed (the flow's own refusal reply) rather than "stopped".
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

FLOW_SLOTS = (
    "order_number",
    "order_lookup_attempts",
    "return_items",
    "return_reason",
    "return_condition",
    "return_resolution",
    "exchange_choice",
    "exchange_sku",
    "return_confirmed",
    "cancel_confirmed",
    "new_address1",
    "new_city",
    "new_postal_code",
    "address_confirmed",
)
"""Answers that belong to one run of a flow (the verified order and contact are kept)."""

REFUSALS = {
    "cancel_confirmed": "utter_order_kept",
    "address_confirmed": "utter_address_kept",
    "return_confirmed": "utter_return_not_started",
}
"""The reply to "stop" while a form waits for this confirmation (the flow's "no" reply)."""


def question_left(tracker: Tracker) -> Optional[str]:
    """The question the form was waiting for when the shopper's latest message arrived."""
    seen_latest_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_latest_message = True
        elif seen_latest_message and event.get("event") == "slot" and event.get("name") == "requested_slot":
            return str(event["value"]) if event.get("value") else None
    return None


def stop_form() -> List[EventType]:
    """Events that make Rasa's FormAction finish the form now (see ``FormAction.is_done``).

    ``ActiveLoop(None)`` is what counts for forms with dynamic required slots: rasa-sdk appends its
    own ``requested_slot`` after the validation events, which would otherwise override ours.
    """
    return [ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionLeaveForm(Action):
    """Confirm that we stopped, forget the unfinished answers, offer next steps."""

    def name(self) -> str:
        return "action_leave_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(response=REFUSALS.get(question_left(tracker) or "", "utter_form_stopped"))
        return [SlotSet(slot, None) for slot in FLOW_SLOTS if tracker.get_slot(slot) is not None]
