"""Payment problems: the usual causes and fixes with the store's own payment facts, then a person.

The causes are the same for every store (they are text in ``domain.yml``); the facts that differ
per store (accepted methods, how long to wait before retrying, when a failed attempt's hold is
released, instalments) come from ``store.yaml`` through ``store_info``.
"""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.formatting import listing, money
from actions.store_access import answers_store_failure, query_store
from store.info import store_info


class ActionPaymentHelp(Action):
    """Common causes of a failed or odd payment, with this store's facts, and the offer of a person."""

    def name(self) -> str:
        return "action_payment_help"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        info = await query_store(store_info)
        help_facts = info.payment_help
        dispatcher.utter_message(
            response="utter_payment_help", methods=listing(info.payment_methods),
            retry_minutes=help_facts.get("declined_card_retry_minutes"),
            hold_days=help_facts.get("authorisation_hold_release_days"),
        )  # fmt: skip
        installments = help_facts.get("installments") or {}
        if installments.get("provider") and installments.get("min_order"):
            dispatcher.utter_message(
                response="utter_payment_installments", provider=installments["provider"],
                min_order=money(installments["min_order"], info.currency),
                max_order=money(installments.get("max_order") or installments["min_order"], info.currency),
            )  # fmt: skip
        dispatcher.utter_message(response="utter_payment_offer_person")
        return []
