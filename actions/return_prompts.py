"""The return form's questions that need store data: which items, which new variant, confirm."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import money
from actions.order_facts import item_lines, text_buttons
from actions.order_verification import verified_order_view
from actions.return_form import eligibility_for, exchanged_item
from actions.store_access import answers_store_failure, query_store
from store.returns import return_policy
from store.sizes import size_sort_key
from store.stock import variant_stock

MAX_VARIANT_BUTTONS = 8


class ActionAskReturnItems(Action):
    """Offer the order's items as buttons (all of them: picking one that cannot go back is explained)."""

    def name(self) -> str:
        return "action_ask_return_items"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        items = await eligibility_for(tracker) or []
        labels = [item.title for item in items]
        response = (
            "utter_ask_return_items_several"
            if sum(i.eligible for i in items) > 1
            else "utter_ask_return_items"
        )
        dispatcher.utter_message(response=response, buttons=text_buttons(labels))
        return []


FIT_DIRECTION = {"too_big": -1, "too_small": 1}
"""Which way an exchange for fit goes: smaller sizes for an item too big, larger for one too small."""


def exchange_order(
    size: Optional[str],
    color: Optional[str],
    had_size: Optional[str],
    had_color: Optional[str],
    reason: Optional[str],
) -> tuple:
    """Sort key of the variants offered in exchange: the same colour first (most exchanges are for
    fit), then sizes the way the reason points (smaller for "too big"), nearest first, then the
    other way; sizes in a picker's order (9 before 10), not alphabetical."""
    have, mine = size_sort_key(size), size_sort_key(had_size)
    comparable = have[0] == mine[0] and had_size is not None
    step = float(have[1]) - float(mine[1]) if comparable else 0.0
    direction = FIT_DIRECTION.get(str(reason))
    wrong_way = bool(direction) and comparable and step * (direction or 0) < 0
    return (color != had_color, color or "", wrong_way, abs(step) if comparable else 0.0, have)


class ActionAskExchangeChoice(Action):
    """Offer the in-stock sizes and colours of the item being exchanged."""

    def name(self) -> str:
        return "action_ask_exchange_choice"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        item = await exchanged_item(tracker)
        answer = await query_store(variant_stock, product=item.product_handle or item.title) if item else None
        if item is None or answer is None:
            dispatcher.utter_message(response="utter_ask_exchange_choice", item="", options="")
            return []
        others = [v for v in answer.variants if v.quantity > 0 and v.sku != item.sku]
        reason = tracker.get_slot("return_reason")
        others.sort(key=lambda v: exchange_order(v.size, v.color, item.size, item.color, reason))
        labels = [f"{v.size} / {v.color}" for v in others[:MAX_VARIANT_BUTTONS]]
        dispatcher.utter_message(
            response="utter_ask_exchange_choice", item=item.title, buttons=text_buttons(labels)
        )
        return []


class ActionAskReturnConfirmed(Action):
    """Sum up the return and ask before anything is written."""

    def name(self) -> str:
        return "action_ask_return_confirmed"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        order = await verified_order_view(tracker)
        policy = await query_store(return_policy)
        if order is None:
            return []
        ids = {int(i) for i in tracker.get_slot("return_items") or []}
        resolution = tracker.get_slot("return_resolution") or "refund"
        dispatcher.utter_message(
            response=f"utter_ask_return_confirmed_{resolution}",
            order=order.name,
            items=item_lines(item for item in order.items if item.id in ids),
            exchange_choice=tracker.get_slot("exchange_choice") or "",
            return_shipping_cost=money(policy.return_shipping_cost, order.currency),
        )
        return []
