"""Discount codes: say why a code fails (expired, minimum spend, excluded items...) and what works.

``discount_form`` finds the code in the shopper's message (or asks for it); ``action_check_discount``
checks it against the widget's cart when the message carried one, and otherwise explains the code's
terms in general.

A discount question that names no code and reports nothing going wrong ("any promo codes?", "do
you price match?", "it went on sale the day after I bought it") is about the store's offers, not
about a code: the form ends at once and ``action_check_discount``, with no code, answers from
``discounts.yaml``'s ``offers`` (:func:`asks_about_offers`, :func:`utter_offers`), as it does when
such a question comes up inside another flow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.catalog_forms import LEAVING_INTENTS
from actions.formatting import day, listing, money, number
from actions.forms import stop_form
from actions.handoff_triggers import HandoffOnRepeatedFailure
from actions.page_context import cart_lines
from actions.store_access import answers_store_failure, query_store
from store.codes import DiscountReason
from store.discounts import (
    CartLine,
    DiscountCheck,
    DiscountOffers,
    PublicCode,
    check_discount,
    discount_offers,
)
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


REPORTS_TROUBLE = re.compile(
    r"\b(not|no longer|(?:is|does|did|was|wo|ca|could|would|has|have|are)n'?t|invalid|expired?"
    r"|errors?|fail\w*|reject\w*|declin\w*|refus\w*|says|said|saying|only (?:took|gave|applied)"
    r"|forg[oe]t\w*|problems?|issues?|trouble|unknown|wrong|broken|glitch\w*|apply it|add it|use it)\b",
    re.IGNORECASE,
)
"""Words of a code going wrong ("isn't working", "says expired", "I forgot to use it")."""
PRICE_MATCH = re.compile(
    r"\bprice[- ]?match\w*"
    r"|\bmatch\w* (?:a |the |their |that |this |an? )?(?:lower |cheaper |better )?(?:price|offer)"
    r"|\b(?:cheaper|less|lower)\b.{0,30}\b(?:at|on|from|in) (?:another|other|a different|amazon|ebay)\b"
    r"|\b(?:cheaper|lower price) (?:elsewhere|somewhere else)\b",
    re.IGNORECASE,
)
"""Words asking whether the store matches a lower price found at another shop."""
PRICE_DROP = re.compile(
    r"\bprice (?:adjust\w*|protection|drop\w*|went down|fell|cut)|\bdropped in price"
    r"|\b(?:went|gone|is now|now|was put) on sale\b|\bmarked down\b"
    r"|\b(?:refund|give|get|pay|credit)\w* (?:me |us |back )?the difference",
    re.IGNORECASE,
)
"""Words asking for the difference after a price dropped."""
FORGOT = re.compile(r"\bforg[oe]t\w*", re.IGNORECASE)


def asks_about_prices(text: str) -> bool:
    """Whether a message asks for a price match or for the difference after a price drop."""
    return bool(PRICE_MATCH.search(text) or PRICE_DROP.search(text))


def asks_about_offers(text: str) -> bool:
    """Whether a discount question is about the store's offers: it names no code and reports no
    code going wrong ("any promo codes?", "do you price match?"), or asks about a price match or
    a price drop whatever its words."""
    if not text.strip() or text.startswith("/") or codes_in(text, asked=False):  # "/": "Try another code"
        return False
    if FORGOT.search(text):  # "can you refund the difference, I forgot my promo code": about a code
        return False
    return asks_about_prices(text) or not REPORTS_TROUBLE.search(text)


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
            text = str((tracker.latest_message or {}).get("text") or "")
            if asks_about_offers(text):  # "any promo codes?": no code to check
                await utter_offers(dispatcher, text)
            else:
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


async def utter_offers(dispatcher: CollectingDispatcher, text: str) -> None:
    """Answer a question about the store's offers: a price match or price drop question gets the
    store's rule for it; the public codes valid now follow, with how codes are used and the offer
    to check one."""
    offers, currency, tz = await query_store(_offers_facts)
    if PRICE_DROP.search(text):
        if offers.price_adjustment_days:
            dispatcher.utter_message(
                response="utter_discount_price_adjustment", days=str(offers.price_adjustment_days)
            )
            return
        dispatcher.utter_message(response="utter_discount_no_price_adjustment")
    elif PRICE_MATCH.search(text):
        if offers.price_match is None:
            dispatcher.utter_message(response="utter_discount_price_match_unknown")
            return
        if offers.price_match:
            dispatcher.utter_message(response="utter_discount_price_match")
            return
        dispatcher.utter_message(response="utter_discount_no_price_match")
    if not offers.codes:
        dispatcher.utter_message(response="utter_discount_no_offers")
        return
    dispatcher.utter_message(response="utter_discount_offers_header")
    for code in offers.codes:
        dispatcher.utter_message(**_public_code_line(code, currency, tz))
    for code in offers.codes:
        if code.categories:
            dispatcher.utter_message(
                response="utter_discount_offer_covers", code=code.code, eligible=listing(code.categories)
            )
        elif code.excluded_categories:
            dispatcher.utter_message(
                response="utter_discount_offer_excludes", code=code.code,
                excluded=listing(code.excluded_categories),
            )  # fmt: skip
    dispatcher.utter_message(response="utter_discount_offers_how")


def _offers_facts(session: Session) -> Tuple[DiscountOffers, str, str]:
    info = store_info(session)
    return discount_offers(session), info.currency, info.timezone


def _public_code_line(code: PublicCode, currency: str, tz: str) -> Dict[str, Any]:
    """The response and values of one public code's line (``utter_discount_offer_<kind>[_min_spend]``)."""
    response = f"utter_discount_offer_{code.kind}" + ("_min_spend" if code.min_spend is not None else "")
    ended = day(code.ends_at.astimezone(ZoneInfo(tz)).date()) if code.ends_at else ""
    return {
        "response": response + ("" if ended else "_open_ended"),
        "code": code.code,
        "value": number(float(code.value)),
        "amount": money(code.value, currency),
        "min_spend": money(code.min_spend, currency) if code.min_spend is not None else "",
        "ended": ended,
    }


class ValidateDiscountForm(HandoffOnRepeatedFailure):
    """Find the code in what the shopper typed.

    A first message about the store's offers rather than a code (:func:`asks_about_offers`) ends
    the form before it asks for a code, and ``action_check_discount`` answers it with no code.
    """

    def name(self) -> str:
        return "validate_discount_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        latest = tracker.latest_message or {}
        first_turn = tracker.get_slot("requested_slot") is None
        asked_here = first_turn and (latest.get("intent") or {}).get("name") == "discount_code"
        if asked_here and asks_about_offers(str(latest.get("text") or "")):
            return stop_form()
        return await super().run(dispatcher, tracker, domain)

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
