"""Where is my order: ask for the order (recent orders as buttons when the channel proved who the
shopper is) and report a verified order's status, items, tracking and what happens next."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import money
from actions.handoff_triggers import order_problem
from actions.identity import verified_email, verified_phone
from actions.order_facts import RECENT_ORDER_BUTTONS, order_button, order_values
from actions.order_verification import answered_order
from actions.refunds import say_refund_status
from actions.store_access import answers_store_failure, query_store, query_store_or
from store.codes import HandoffReason, OrderStatus, RefundState
from store.orders import OrderSummary, find_order, orders_for_contact
from store.refunds import refund_status

STATUS_RESPONSES: Dict[OrderStatus, str] = {
    OrderStatus.UNFULFILLED: "utter_order_unfulfilled",
    OrderStatus.PARTIALLY_FULFILLED: "utter_order_partially_fulfilled",
    OrderStatus.IN_TRANSIT: "utter_order_in_transit",
    OrderStatus.DELAYED: "utter_order_delayed",
    OrderStatus.DELIVERED: "utter_order_delivered",
    OrderStatus.CANCELLED: "utter_order_cancelled",
    OrderStatus.RETURNED: "utter_order_returned",
}


MISSING_ITEM = re.compile(
    r"\b(missing|left out|(was|were)(n'?t| not) in (the|my|it)|not in the (box|parcel|package)"
    r"|only (got|received|came with) (\w+ )?(of|out of)|half (of )?my order|not all (of )?my)",
    re.IGNORECASE,
)
"""The shopper says part of a delivered order was not in the parcel ("one item is missing")."""
NOT_AN_ITEM = re.compile(
    r"\b(tracking|number|address|link|email|e-mail|update|confirmation|receipt|invoice|code)s?\b"
    r"( \w+)? (is |was |are |were )?(missing|not in)"
    r"|\bmissing (the |my |a )?(tracking|number|address|link|email|update|confirmation|receipt|invoice|code)",
    re.IGNORECASE,
)
"""Something other than an item is missing ("the tracking number is missing")."""


def says_item_missing(text: str) -> bool:
    """Whether the shopper says an item of the order was not in the parcel."""
    return bool(MISSING_ITEM.search(text)) and not NOT_AN_ITEM.search(text)


def order_question(tracker: Tracker) -> Optional[str]:
    """The text of the shopper's latest ``order_status`` message (what started this lookup)."""
    for event in reversed(tracker.events):
        if (
            event.get("event") == "user"
            and ((event.get("parse_data") or {}).get("intent") or {}).get("name") == "order_status"
        ):
            return str(event.get("text") or "")
    return None


class ActionAskOrderNumber(Action):
    """Ask which order; a channel-verified shopper picks from their recent orders."""

    def name(self) -> str:
        return "action_ask_order_number"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        email, phone = verified_email(tracker), verified_phone(tracker)
        recent: List[OrderSummary] = []
        if email or phone:
            # without the store, still ask: the shopper can type the number
            recent = await query_store_or(
                [], orders_for_contact, email=email, phone=phone, limit=RECENT_ORDER_BUTTONS
            )
        if recent:
            buttons = [
                order_button(o.number, o.name, o.placed_at.date(), money(o.total, o.currency)) for o in recent
            ]
            dispatcher.utter_message(response="utter_ask_order_number_pick", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_ask_order_number")
        return []


class ActionOrderStatus(Action):
    """Report the verified order (the form verified it; nothing is said about unverified ones)."""

    def name(self) -> str:
        return "action_order_status"

    @answers_store_failure("order_number")
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        reset: List[EventType] = [SlotSet("order_number", None)]
        answered = answered_order(tracker)
        if answered is None:
            return reset  # the form already said why it could not find the order
        number, contact = answered
        order = await query_store(find_order, order_number=number, contact=contact)
        if order is None:
            dispatcher.utter_message(response="utter_order_not_found_final")
            return reset
        if order.status is OrderStatus.RETURNED:
            refund = await query_store(refund_status, order_number=number, contact=contact)
            if refund is not None and refund.state is not RefundState.NO_RETURN:
                # "did you get my parcel back?": where the return and its money are, not only "returned"
                return [*reset, *say_refund_status(dispatcher, refund)]
        dispatcher.utter_message(response=STATUS_RESPONSES[order.status], **order_values(order))
        if says_item_missing(order_question(tracker) or ""):
            # "one item is missing from my parcel": sorry, and a person sends it or refunds it
            dispatcher.utter_message(response="utter_order_item_missing", order=order.name)
            return [*reset, *order_problem(order, HandoffReason.MISSING_ITEM)]
        if order.status is OrderStatus.DELAYED:
            return [*reset, *order_problem(order, HandoffReason.DELAYED_ORDER)]
        return reset
