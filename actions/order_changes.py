"""Cancelling an unshipped order and changing where it goes, after the form verified and confirmed."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff_triggers import order_problem
from actions.order_facts import address_line, order_values
from actions.order_forms import new_address
from actions.order_verification import verified_order_view
from actions.store_access import answers_store_failure, query_store
from store.orders import OrderChangeResult, cancel_order, change_shipping_address

CANCEL_SLOTS = ("order_number", "cancel_confirmed")
ADDRESS_SLOTS = ("order_number", "new_address1", "new_city", "new_postal_code", "address_confirmed")

_REFUSALS = {
    "already_cancelled": "cancelled",
    "already_fulfilled": "shipped",
    "partially_fulfilled": "shipped",
}


def _reset(slots: tuple) -> List[EventType]:
    return [SlotSet(slot, None) for slot in slots]


def _refusal(result: OrderChangeResult, dispatcher: CollectingDispatcher, prefix: str) -> List[EventType]:
    """Explain a change the store refused (the order moved on since the form checked it)."""
    why = _REFUSALS.get(result.reason or "")
    values = order_values(result.order) if result.order is not None else {}
    if why:
        dispatcher.utter_message(response=f"{prefix}_{why}", **values)
        return order_problem(result.order) if why == "shipped" and result.order is not None else []
    dispatcher.utter_message(response="utter_order_change_failed")
    return [SlotSet("handoff_reason", "action_failed")]


class ActionCancelOrder(Action):
    """Cancel the verified order once the shopper said yes."""

    def name(self) -> str:
        return "action_cancel_order"

    @answers_store_failure(*CANCEL_SLOTS)
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        confirmed = tracker.get_slot("cancel_confirmed")
        if confirmed is False:
            dispatcher.utter_message(response="utter_order_kept")
        if confirmed is not True:
            return _reset(CANCEL_SLOTS)
        result = await query_store(
            cancel_order,
            order_number=tracker.get_slot("verified_order"),
            contact=tracker.get_slot("order_contact"),
        )
        if not result.ok:
            return _reset(CANCEL_SLOTS) + _refusal(result, dispatcher, "utter_cannot_cancel")
        assert result.order is not None
        dispatcher.utter_message(response="utter_order_cancel_done", **order_values(result.order))
        return _reset(CANCEL_SLOTS)


class ActionChangeAddress(Action):
    """Send the verified, unshipped order to the new address once the shopper said yes."""

    def name(self) -> str:
        return "action_change_address"

    @answers_store_failure(*ADDRESS_SLOTS)
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        confirmed = tracker.get_slot("address_confirmed")
        if confirmed is False:
            dispatcher.utter_message(response="utter_address_kept")
        if confirmed is not True:
            return _reset(ADDRESS_SLOTS)
        result: Optional[OrderChangeResult] = None
        order = await verified_order_view(tracker)
        if order is not None:
            result = await query_store(
                change_shipping_address,
                order_number=str(order.number),
                contact=tracker.get_slot("order_contact"),
                address=new_address(tracker, order),
            )
        if result is None:
            dispatcher.utter_message(response="utter_order_not_found_final")
            return _reset(ADDRESS_SLOTS)
        if not result.ok:
            return _reset(ADDRESS_SLOTS) + _refusal(result, dispatcher, "utter_cannot_change_address")
        assert result.order is not None
        dispatcher.utter_message(
            response="utter_address_changed",
            **{**order_values(result.order), "address": address_line(result.order.shipping_address)},
        )
        return _reset(ADDRESS_SLOTS)
