"""A typed "cancel my stock alert" (``cancel_stock_alert``): the conversation's alerts, cancelled.

The subscription's own button cancels the alert it was shown with (:mod:`actions.back_in_stock`).
Typed, the shopper may name the product ("stop the restock notification for the jacket"): the
alerts for products whose title has the named product or category are cancelled. Without a name,
the only alert is cancelled; with several, each is offered as a button carrying its cancel request.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.back_in_stock import alert_payload, cancel_alert
from actions.store_access import answers_store_failure, query_store
from store.back_in_stock import Subscription, subscriptions_of

NAMING_ENTITIES = ("product", "category")


def named(tracker: Tracker) -> List[str]:
    """The products or categories the latest message names (lower case)."""
    entities = tracker.latest_message.get("entities") or []
    return [
        str(e["value"]).lower() for e in entities if e.get("entity") in NAMING_ENTITIES and e.get("value")
    ]


def matching(alerts: Sequence[Subscription], names: Sequence[str]) -> List[Subscription]:
    """The alerts for a product whose title has one of ``names`` in it (or is in one)."""
    return [a for a in alerts if any(n in a.product.lower() or a.product.lower() in n for n in names)]


def _variant(alert: Subscription) -> str:
    return " / ".join(part for part in (alert.size, alert.color) if part)


class ActionCancelStockAlert(Action):
    """Cancel the alert the shopper means, or ask which (see the module docstring)."""

    def name(self) -> str:
        return "action_cancel_stock_alert"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        alerts = await query_store(subscriptions_of, conversation_id=tracker.sender_id)
        names = named(tracker)
        chosen = matching(alerts, names) if names else alerts
        if not alerts:
            dispatcher.utter_message(response="utter_back_in_stock_no_alerts")
        elif not chosen:
            dispatcher.utter_message(response="utter_back_in_stock_nothing_to_cancel", product=names[0])
        elif len({a.product for a in chosen}) == 1:
            first = chosen[0]
            variant = _variant(first) if len(chosen) == 1 else ""
            await cancel_alert(
                dispatcher, tracker, title=first.product, variant=variant, skus=[a.sku for a in chosen]
            )
        else:
            dispatcher.utter_message(response="utter_back_in_stock_which_to_cancel", buttons=_buttons(chosen))
        return []


def _buttons(alerts: Sequence[Subscription]) -> List[Dict[str, Any]]:
    """One button per alert: its product and variant, sending the alert's own cancel request."""
    return [
        {
            "title": f"{a.product} ({_variant(a)})" if _variant(a) else a.product,
            "payload": alert_payload("cancel", a.product, a.size, a.color),
        }
        for a in alerts
    ]
