"""Leaving a form: "stop", "never mind" or "cancel" ends whatever form is running.

The rule deactivates the form first (``action_deactivate_loop``); this action then forgets the
half-given answers, so the next time the flow starts it asks afresh, and offers what to do next.
"""

from __future__ import annotations

from typing import Any, Dict, List

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
        dispatcher.utter_message(response="utter_form_stopped")
        return [SlotSet(slot, None) for slot in FLOW_SLOTS if tracker.get_slot(slot) is not None]
