"""Discount codes: say why a code fails (expired, minimum spend, excluded items...) and what works.

``discount_form`` finds the code in the shopper's message (or asks for it); ``action_check_discount``
checks it against the widget's cart when the message carried one, and otherwise explains the code's
terms in general.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.catalog_forms import LEAVING_INTENTS
from actions.formatting import day, listing, money
from actions.handoff_triggers import HandoffOnRepeatedFailure
from actions.page_context import cart_lines
from actions.store_access import answers_store_failure, query_store
from store.codes import DiscountReason
from store.discounts import CartLine, DiscountCheck, check_discount
from store.info import store_info
from store.vocabulary import catalog_vocabulary

REFUSALS: Dict[DiscountReason, str] = {
    DiscountReason.UNKNOWN: "utter_discount_unknown",
    DiscountReason.NOT_STARTED: "utter_discount_not_started",
    DiscountReason.EXPIRED: "utter_discount_expired",
    DiscountReason.USAGE_LIMIT: "utter_discount_usage_limit",
    DiscountReason.EXCLUDED_ITEMS: "utter_discount_excluded_items",
    DiscountReason.MIN_SPEND: "utter_discount_min_spend",
}
"""Why a code does not apply, said to the shopper (the cart's details follow where they help)."""

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,29}")


def codes_in(text: str, *, asked: bool) -> List[str]:
    """Words that look like discount codes: typed in capitals or mixing letters and digits
    (``WELCOME10``, ``FREESHIP``). When we asked for the code, a one-word answer counts too."""
    if not text or text.startswith("/"):
        return []
    found = [
        t.upper() for t in _TOKEN.findall(text)
        if len(t) >= 4 and ((t.isupper() and any(c.isalpha() for c in t))
                            or (any(c.isdigit() for c in t) and any(c.isalpha() for c in t)))
    ]  # fmt: skip
    words = text.split()
    if not found and asked and len(words) == 1 and _TOKEN.fullmatch(words[0].strip(".,!?\"'")):
        found = [words[0].strip(".,!?\"'").upper()]
    return found


@dataclass(frozen=True)
class DiscountFacts:
    """The verdict with what a reply needs to explain it."""

    check: DiscountCheck
    currency: str
    timezone: str
    categories: List[str]


def discount_facts(session: Session, *, code: str, cart: List[CartLine]) -> DiscountFacts:
    """Check the code against the cart, with the store's currency, time zone and categories."""
    info = store_info(session)
    return DiscountFacts(
        check_discount(session, code=code, cart=cart),
        info.currency,
        info.timezone,
        list(catalog_vocabulary(session).categories),
    )


class ActionCheckDiscount(Action):
    """Why the code does not apply (or what it takes off), from the store's rules for it."""

    def name(self) -> str:
        return "action_check_discount"

    @answers_store_failure("discount_code")
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        code = tracker.get_slot("discount_code") or self._code_in_question(tracker)
        # the next question about a code starts afresh
        done: List[EventType] = [SlotSet("discount_code", None)]
        if not code:
            dispatcher.utter_message(response="utter_discount_general")
            return done
        cart = cart_lines(tracker)
        facts = await query_store(discount_facts, code=code, cart=cart or [])
        check = facts.check
        tz = ZoneInfo(facts.timezone)

        def local_day(moment: Optional[datetime]) -> str:
            return day(moment.astimezone(tz).date()) if moment else ""

        hint = check.what_would_work
        terms: Dict[str, Any] = {"code": check.code}
        if hint is not None:
            terms.update(
                eligible=listing(hint.categories or facts.categories),
                excluded=listing(hint.excluded_categories),
                min_spend=money(hint.min_spend, facts.currency) if hint.min_spend is not None else None,
                ended=local_day(hint.ends_at), starts=local_day(hint.starts_at),
            )  # fmt: skip
        if check.applies:
            if check.kind == "free_shipping":
                dispatcher.utter_message(response="utter_discount_applies_free_shipping", **terms)
            else:
                dispatcher.utter_message(
                    response="utter_discount_applies", amount=money(check.amount, facts.currency), **terms
                )
        elif check.reason in (DiscountReason.EXCLUDED_ITEMS, DiscountReason.MIN_SPEND) and cart is None:
            self._explain_terms(dispatcher, terms)
        elif check.reason is DiscountReason.MIN_SPEND:
            missing = money(check.missing_spend or Decimal(0), facts.currency)
            dispatcher.utter_message(response=REFUSALS[check.reason], missing=missing, **terms)
        elif check.reason is DiscountReason.EXCLUDED_ITEMS:
            dispatcher.utter_message(response=REFUSALS[check.reason], **terms)
            if terms.get("excluded"):
                dispatcher.utter_message(response="utter_discount_not_covered", **terms)
            dispatcher.utter_message(response="utter_discount_next_steps")
        elif check.reason is not None:
            dispatcher.utter_message(response=REFUSALS[check.reason], **terms)
        return done

    @staticmethod
    def _code_in_question(tracker: Tracker) -> Optional[str]:
        """A code named in a discount question asked inside another flow (no discount form ran)."""
        if (tracker.active_loop or {}).get("name") in (None, "discount_form"):
            return None
        codes = codes_in(str((tracker.latest_message or {}).get("text") or ""), asked=False)
        return codes[0] if codes else None

    @staticmethod
    def _explain_terms(dispatcher: CollectingDispatcher, terms: Dict[str, Any]) -> None:
        """No cart to check against: what the code needs, so the shopper can check their own."""
        dispatcher.utter_message(response="utter_discount_terms", **terms)
        if terms.get("min_spend"):
            dispatcher.utter_message(response="utter_discount_terms_min_spend", **terms)
        if terms.get("excluded"):
            dispatcher.utter_message(response="utter_discount_not_covered", **terms)
        dispatcher.utter_message(response="utter_discount_next_steps")


class ValidateDiscountForm(HandoffOnRepeatedFailure):
    """Find the code in what the shopper typed."""

    def name(self) -> str:
        return "validate_discount_form"

    async def extract_discount_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The first code-like word; a one-word answer when we asked for the code."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in LEAVING_INTENTS:
            return {}
        asked = tracker.get_slot("requested_slot") == "discount_code"
        codes = codes_in(tracker.latest_message.get("text") or "", asked=asked)
        return {"discount_code": codes[0]} if codes else {}

    async def validate_discount_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Codes are compared in capitals without spaces; anything else is asked again."""
        if not isinstance(value, str) or not _TOKEN.fullmatch(value.strip()):
            return {"discount_code": None}
        return {"discount_code": value.strip().upper()}
