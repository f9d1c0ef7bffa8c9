"""Payment problems: the usual causes and fixes with the store's own payment facts, then a person.

The causes are the same for every store (they are text in ``domain.yml``); the facts that differ
per store (accepted methods, how long to wait before retrying, when a failed attempt's hold is
released, instalments) come from ``store.yaml`` through ``store_info``. A question about how one
can pay ("can I pay with PayPal?", "do you take Klarna?") that reports no problem gets the accepted
methods and instalments alone, without "sorry about the trouble" (:func:`asks_how_to_pay`).
"""

from __future__ import annotations

import re
from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.formatting import listing, money
from actions.store_access import answers_store_failure, query_store
from store.info import store_info

HOW_TO_PAY = re.compile(
    r"\b(pay(ing)? (with|by|using|via|in)|accept\w*|take|payment (methods?|options?)|ways? to pay"
    r"|klarna|afterpay|paypal|apple pay|google pay|shop pay|crypto\w*|bitcoin|cash on delivery)\b",
    re.IGNORECASE,
)
"""Words of a question about how one can pay."""
TROUBLE = re.compile(
    r"\b(declin\w*|not working|(is|does|did|was|wo|ca|could)n'?t|not (go|going|gone) through|fail\w*"
    r"|error\w*|problems?|issues?|trouble|charged|rejected|refused|unable|stuck|broken|hold)\b",
    re.IGNORECASE,
)
"""Words of a payment going wrong."""


def asks_how_to_pay(text: str) -> bool:
    """Whether the message asks how one can pay and reports no problem ("do you take Apple Pay?")."""
    return bool(HOW_TO_PAY.search(text)) and not TROUBLE.search(text)


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
        question = asks_how_to_pay(str((tracker.latest_message or {}).get("text") or ""))
        if question:
            dispatcher.utter_message(response="utter_payment_methods", methods=listing(info.payment_methods))
        else:
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
        if not question:
            dispatcher.utter_message(response="utter_payment_offer_person")
        return []
