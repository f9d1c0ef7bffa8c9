"""Cancelling an unshipped order and changing where it goes, after the form verified and confirmed.

With a Shopify store connected, the change is asked of Shopify first and the store follows its
answer; without one, the store's own rules make the change (:mod:`integrations.order_changes`,
which the agent console uses too).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff_triggers import order_problem
from actions.order_facts import address_line, order_values
from actions.order_forms import new_address
from actions.order_verification import verified_order_view
from actions.store_access import answers_store_failure
from integrations import order_changes
from store.codes import HandoffReason, OrderChangeRefusal
from store.orders import OrderChangeResult

CANCEL_SLOTS = ("order_number", "cancel_confirmed")
ADDRESS_SLOTS = ("order_number", "new_address1", "new_city", "new_postal_code", "address_confirmed")

CHANGE_FAILED = "utter_order_change_failed"
"""The form checked the order, so any other refusal is unexpected: say so and offer a person."""

CANCEL_REFUSALS: Dict[OrderChangeRefusal, str] = {
    OrderChangeRefusal.ALREADY_CANCELLED: "utter_cannot_cancel_cancelled",
    OrderChangeRefusal.ALREADY_FULFILLED: "utter_cannot_cancel_shipped",
    OrderChangeRefusal.PARTIALLY_FULFILLED: "utter_cannot_cancel_shipped",
    OrderChangeRefusal.NOT_FOUND: CHANGE_FAILED,
    OrderChangeRefusal.INVALID_ADDRESS: CHANGE_FAILED,
    OrderChangeRefusal.COUNTRY_CHANGE_NOT_ALLOWED: CHANGE_FAILED,
    OrderChangeRefusal.SHOP_REFUSED: CHANGE_FAILED,
}
ADDRESS_REFUSALS: Dict[OrderChangeRefusal, str] = {
    OrderChangeRefusal.ALREADY_CANCELLED: "utter_cannot_change_address_cancelled",
    OrderChangeRefusal.ALREADY_FULFILLED: "utter_cannot_change_address_shipped",
    OrderChangeRefusal.PARTIALLY_FULFILLED: "utter_cannot_change_address_shipped",
    OrderChangeRefusal.NOT_FOUND: CHANGE_FAILED,
    OrderChangeRefusal.INVALID_ADDRESS: CHANGE_FAILED,
    OrderChangeRefusal.COUNTRY_CHANGE_NOT_ALLOWED: CHANGE_FAILED,
    OrderChangeRefusal.SHOP_REFUSED: CHANGE_FAILED,
}


def _reset(slots: tuple) -> List[EventType]:
    return [SlotSet(slot, None) for slot in slots]


def _refusal(
    result: OrderChangeResult, dispatcher: CollectingDispatcher, responses: Dict[OrderChangeRefusal, str]
) -> List[EventType]:
    """Explain a change the store refused (the order moved on since the form checked it)."""
    response = responses[result.reason] if result.reason is not None else CHANGE_FAILED
    if response == CHANGE_FAILED:
        dispatcher.utter_message(response=CHANGE_FAILED)
        return [SlotSet("handoff_reason", HandoffReason.ACTION_FAILED)]
    dispatcher.utter_message(response=response, **(order_values(result.order) if result.order else {}))
    shipped = result.reason in (OrderChangeRefusal.ALREADY_FULFILLED, OrderChangeRefusal.PARTIALLY_FULFILLED)
    # a shipped order the shopper wanted to change is a problem: a high-value one goes to a person
    return order_problem(result.order) if shipped and result.order is not None else []


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
        order = {
            "order_number": tracker.get_slot("verified_order"),
            "contact": tracker.get_slot("order_contact"),
        }
        result = await order_changes.cancel(**order)
        if not result.ok:
            return _reset(CANCEL_SLOTS) + _refusal(result, dispatcher, CANCEL_REFUSALS)
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
            change = {
                "order_number": str(order.number),
                "contact": tracker.get_slot("order_contact"),
                "address": new_address(tracker, order),
            }
            result = await order_changes.change_address(**change)
        if result is None:
            dispatcher.utter_message(response="utter_order_not_found_final")
            return _reset(ADDRESS_SLOTS)
        if not result.ok:
            return _reset(ADDRESS_SLOTS) + _refusal(result, dispatcher, ADDRESS_REFUSALS)
        assert result.order is not None
        dispatcher.utter_message(
            response="utter_address_changed",
            **{**order_values(result.order), "address": address_line(result.order.shipping_address)},
        )
        return _reset(ADDRESS_SLOTS)
