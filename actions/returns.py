"""Returns: the policy in two sentences, and writing a confirmed return (RMA) to the store.

With a Shopify store connected the return is requested there first and the store keeps
Shopify's answer (:mod:`integrations.shopify.returns`).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.follow_ups import return_of_order_in_context
from actions.formatting import money
from actions.return_choices import refuse_items
from actions.return_policy import utter_return_policy
from actions.store_access import answers_store_failure, query_store
from integrations.shopify.returns import request_return_in_shop
from integrations.shopify.writeback import shop_connection
from store.codes import HandoffReason, ReturnFailure
from store.returns import create_return, return_eligibility, return_policy

RETURN_SLOTS = (
    "order_number",
    "return_items",
    "return_reason",
    "return_condition",
    "return_resolution",
    "exchange_choice",
    "exchange_sku",
    "return_confirmed",
)
SUBMIT_FAILURES: Dict[ReturnFailure, Optional[str]] = {
    ReturnFailure.NOT_FOUND: "utter_order_not_found_final",
    ReturnFailure.EXCHANGE_UNAVAILABLE: "utter_exchange_sold_out_meanwhile",
    ReturnFailure.NOT_ELIGIBLE: None,  # each refused item says why (refuse_items)
    ReturnFailure.INVALID_ITEMS: "utter_return_failed",
    ReturnFailure.INVALID_REASON: "utter_return_failed",
    ReturnFailure.INVALID_RESOLUTION: "utter_return_failed",
    ReturnFailure.EXCHANGES_NOT_ALLOWED: "utter_return_failed",
    ReturnFailure.SHOP_REFUSED: "utter_return_failed",  # and a person takes it over
}
"""The form checked the items, reason and resolution, so only a change since then fails here."""


def reset_return() -> List[EventType]:
    """Forget this return's answers (the verified order and contact stay for the next question)."""
    return [SlotSet(slot, None) for slot in RETURN_SLOTS]


class ActionReturnPolicy(Action):
    """State the return policy from the store's own policy record.

    "Can I return it?" right after an order was verified is about that order: the return form
    answers it for the order instead (:func:`actions.follow_ups.return_of_order_in_context`).
    A question about one part of the policy gets that part: items bought on sale, a present, or a
    product or category the message names ("is swimwear returnable?", and "what about boots?"
    right after the policy, :func:`actions.topics.return_policy_again`, answered by the search or
    the fallback that message reached with :func:`actions.return_policy.utter_return_policy`).
    """

    def name(self) -> str:
        return "action_return_policy"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        follow_up = return_of_order_in_context(tracker)
        if follow_up:
            return follow_up
        await utter_return_policy(dispatcher, tracker.latest_message or {})
        return []


class ActionSubmitReturn(Action):
    """Write the confirmed return and give the RMA and next steps."""

    def name(self) -> str:
        return "action_submit_return"

    @answers_store_failure(*RETURN_SLOTS)
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        confirmed = tracker.get_slot("return_confirmed")
        if confirmed is False:
            dispatcher.utter_message(response="utter_return_not_started")
        if confirmed is not True:
            return reset_return()  # refused or stopped: the form already said why
        number, contact = tracker.get_slot("verified_order"), tracker.get_slot("order_contact")
        resolution = tracker.get_slot("return_resolution") or "refund"
        # everything the reply needs is read first: once the return is written, only its answer is left
        policy = await query_store(return_policy)
        eligibility = await query_store(return_eligibility, order_number=number, contact=contact) or []
        wanted = {int(i) for i in tracker.get_slot("return_items") or []}
        items = [(e.line_item_id, e.returnable_quantity) for e in eligibility if e.line_item_id in wanted]
        request = {
            "order_number": number,
            "contact": contact,
            "items": items,
            "reason": tracker.get_slot("return_reason") or "other",
            "resolution": resolution,
            "exchange_sku": tracker.get_slot("exchange_sku"),
        }
        shop = shop_connection()
        if shop is not None:
            result = await request_return_in_shop(shop, **request)
        else:
            result = await query_store(create_return, **request)
        if result.ok:
            dispatcher.utter_message(
                response=f"utter_return_created_{resolution}",
                rma=result.rma,
                exchange_choice=tracker.get_slot("exchange_choice") or "",
                refund_days=str(policy.refund_days or ""),
                return_shipping_cost=money(policy.return_shipping_cost),
            )
            return [*reset_return(), SlotSet("last_rma", result.rma)]
        failure = SUBMIT_FAILURES[result.reason] if result.reason is not None else "utter_return_failed"
        if failure is None:
            refuse_items(dispatcher, list(result.ineligible))
            return reset_return()
        dispatcher.utter_message(response=failure)
        return [*reset_return(), SlotSet("handoff_reason", HandoffReason.ACTION_FAILED)]
