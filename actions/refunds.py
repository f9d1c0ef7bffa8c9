"""Where is my refund: verify the order (``refund_status_form``), then say where its money is.

The store works out the step and the due date (:func:`store.refunds.refund_status`); this module
only picks the response for the step and offers a person when the money is late.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import day, money
from actions.order_verification import OrderFormValidator, answered_order
from actions.store_access import answers_store_failure, query_store
from store.codes import HandoffReason, RefundState
from store.refunds import STORE_CREDIT, RefundStatus, refund_status

REFUND_RESPONSES: Dict[RefundState, str] = {
    RefundState.NO_RETURN: "utter_refund_none",
    RefundState.AWAITING_PARCEL: "utter_refund_awaiting_parcel",
    RefundState.RECEIVED: "utter_refund_received",
    RefundState.INSPECTED: "utter_refund_inspected",
    RefundState.REFUNDED: "utter_refund_refunded",
    RefundState.EXCHANGED: "utter_refund_exchanged",
    RefundState.REJECTED: "utter_refund_rejected",
    RefundState.CANCELLED: "utter_refund_cancelled",
}
STORE_CREDIT_RESPONSE = "utter_refund_store_credit"
UNDATED_REFUND_RESPONSE = "utter_refund_refunded_undated"
LATE_RESPONSE = "utter_refund_late"
LATE_HANDOFF_REASON = HandoffReason.LATE_REFUND


def refund_response(status: RefundStatus) -> str:
    """The response for the refund's step (and, once issued, for where the money went)."""
    if status.state is RefundState.REFUNDED:
        if status.method == STORE_CREDIT:
            return STORE_CREDIT_RESPONSE
        if status.refunded_on is None or status.amount is None:
            return UNDATED_REFUND_RESPONSE  # an imported refund without its day or amount
    return REFUND_RESPONSES[status.state]


def refund_values(status: RefundStatus) -> Dict[str, str]:
    """The facts a refund response may use, formatted (absent ones are empty)."""
    dates = {
        "requested": status.requested_on,
        "received": status.received_on,
        "inspected": status.inspected_on,
        "refunded": status.refunded_on,
        "expected": status.expected_by,
    }
    return {
        "order": status.order,
        "rma": status.rma or "",
        "items": "\n".join(status.items),
        "amount": money(status.amount, status.currency) if status.amount is not None else "",
        "processing_days": str(status.processing_days or ""),
        "bank_days": str(status.bank_days or ""),
        **{name: day(value) if value else "" for name, value in dates.items()},
    }


def say_refund_status(dispatcher: CollectingDispatcher, status: RefundStatus) -> List[EventType]:
    """Say where the refund is, and offer a person when it is late (the handoff's reason set)."""
    dispatcher.utter_message(response=refund_response(status), **refund_values(status))
    if not status.late:
        return []
    dispatcher.utter_message(response=LATE_RESPONSE, **refund_values(status))
    return [SlotSet("handoff_reason", LATE_HANDOFF_REASON)]


class ValidateRefundStatusForm(OrderFormValidator):
    """Order number and contact for "where is my refund" (verification from the base class)."""

    def name(self) -> str:
        return "validate_refund_status_form"


class ActionRefundStatus(Action):
    """Say where the verified order's refund is; offer a person when it is late."""

    def name(self) -> str:
        return "action_refund_status"

    @answers_store_failure("order_number")
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        reset: List[EventType] = [SlotSet("order_number", None)]
        answered = answered_order(tracker)
        if answered is None:
            return reset  # the form already said why it could not find the order
        number, contact = answered
        status = await query_store(refund_status, order_number=number, contact=contact)
        if status is None:
            dispatcher.utter_message(response="utter_order_not_found_final")
            return reset
        return [*reset, *say_refund_status(dispatcher, status)]
