"""Shipping: prices, delivery dates and the dispatch cut-off for the shopper's destination.

``action_shipping_info`` answers on its own (the orders helper uses it as a digression inside the
return form): with a destination it lists each method's price, delivery window and cut-off, the
free-shipping threshold and whether an order placed now leaves today; without one it lists where we
ship. ``shipping_form`` asks for the destination first when the shopper has not named one.
Import duties ("is there customs to pay?") and collecting an order ("can I pick it up?") are
answered from ``shipping.yaml``'s ``duties`` and ``pickup`` without asking for a destination.

The destination is whatever place the shopper named: a country, an alias, a state or province, or a
city (``storefront.nlu.destination_extractor`` fills ``country`` and ``region``). It is resolved
against the store's zones as they are now (:mod:`store.places`), so a region with its own zone gets
that zone's prices and a zone added to the store is answered without retraining.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.follow_ups import (
    delivery_of_order_in_context,
    delivery_of_order_in_context_follow_up,
    order_named_too,
)
from actions.formatting import day, listing, money, time_of_day, zone_abbreviation
from actions.handoff_triggers import HandoffOnRepeatedFailure
from actions.page_context import cart_lines, cart_subtotal
from actions.product_questions import answer_price_question, asks_the_price
from actions.store_access import answers_store_failure, query_store
from core import clock
from store.info import store_info
from store.places import Place, load_gazetteer, warm
from store.shipping import DeliveryOption, delivery_estimate, delivery_terms, shipping_destinations


@dataclass(frozen=True)
class ShippingFacts:
    """Everything one shipping reply needs, read in one store session."""

    destination: Optional[Place]  # the resolved place; None when nothing was named or it is unknown
    options: List[DeliveryOption]  # empty when the store does not ship there
    destinations: List[str]
    currency: str
    timezone: str


def shipping_facts(
    session: Session,
    *,
    country: Optional[str],
    region: Optional[str] = None,
    postal_code: Optional[str],
    subtotal: Optional[Decimal],
    now: datetime,
) -> ShippingFacts:
    """The destination, its delivery options and the store's destinations, currency and time zone.

    ``country`` is any place name; ``region`` (a code, from an earlier mention) narrows a
    whole-country destination, so "Alaska" gets the Alaska zone's prices.
    """
    info = store_info(session)
    destinations = shipping_destinations(session)
    place = load_gazetteer(session).lookup(country) if country else None
    if place is None:
        return ShippingFacts(None, [], destinations, info.currency, info.timezone)
    if place.region_code is None and region:
        place = _with_region(session, place, region)
    options = delivery_estimate(
        session, country=place.country_code, region=place.region_code, postal_code=postal_code,
        subtotal=subtotal, now=now,
    )  # fmt: skip
    return ShippingFacts(place, options, destinations, info.currency, info.timezone)


def _with_region(session: Session, place: Place, region: str) -> Place:
    """``place`` narrowed to ``region`` when the store lists that region for the place's country."""
    narrowed = load_gazetteer(session).lookup(region)
    if narrowed is None or narrowed.country_code != place.country_code or narrowed.region_code is None:
        return place
    return narrowed


async def read_gazetteer_libraries() -> None:
    """Load the place libraries once, in a thread, before the time-limited store query needs them."""
    await asyncio.get_running_loop().run_in_executor(None, warm)


def mentioned_region(tracker: Tracker) -> Optional[str]:
    """The ``region`` slot, unless the latest message named a destination without a region: after
    "Alaska" then "and to the United States?" the answer is for the whole country."""
    names = {e.get("entity") for e in tracker.latest_message.get("entities") or []}
    if "country" in names and "region" not in names:
        return None
    return tracker.get_slot("region")


class ActionShippingInfo(Action):
    """Delivery options to the shopper's destination, or where we ship when it is unknown."""

    def name(self) -> str:
        return "action_shipping_info"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        about_the_order = delivery_of_order_in_context_follow_up(tracker)
        if about_the_order:  # "when will it arrive?" right after an order was verified
            return about_the_order
        if _a_price_question(tracker):  # "how much is it?" right after a stock answer
            priced = await answer_price_question(dispatcher, tracker)
            if priced is not None:
                return priced
        if await answer_delivery_terms(
            dispatcher, tracker
        ):  # "is there customs to pay?", "can I pick it up?"
            return []
        country, postal_code = tracker.get_slot("country"), tracker.get_slot("postal_code")
        region = mentioned_region(tracker)
        now = clock.now()
        await read_gazetteer_libraries()
        facts = await query_store(
            shipping_facts, country=country, region=region, postal_code=postal_code,
            subtotal=cart_subtotal(cart_lines(tracker)), now=now,
        )  # fmt: skip
        destinations = listing(facts.destinations)
        if not country:
            dispatcher.utter_message(response="utter_shipping_overview", destinations=destinations)
            return order_named_too(tracker)
        if facts.destination is None or not facts.options:
            named = facts.destination.country_name if facts.destination else country
            dispatcher.utter_message(
                response="utter_shipping_destination_unknown", country=named, destinations=destinations
            )
            return order_named_too(tracker)
        self._describe(dispatcher, facts, postal_code, now)
        slots = {"country": facts.destination.country_name, "region": facts.destination.region_code}
        changed = [SlotSet(name, value) for name, value in slots.items() if tracker.get_slot(name) != value]
        return [*changed, *order_named_too(tracker)]

    @staticmethod
    def _describe(
        dispatcher: CollectingDispatcher, facts: ShippingFacts, postal_code: Optional[str], now: datetime
    ) -> None:
        assert facts.destination is not None
        tz = zone_abbreviation(facts.timezone, now)
        place = facts.destination.label
        if postal_code:
            place = f"{place} {postal_code.replace(' ', '').upper()}"
        dispatcher.utter_message(response="utter_shipping_header", destination=place)
        for option in facts.options:
            if option.price == 0:
                response = "utter_shipping_option_free"
            elif option.earliest == option.latest:
                response = "utter_shipping_option_one_day"
            else:
                response = "utter_shipping_option"
            dispatcher.utter_message(
                response=response, method=option.name, carrier=option.carrier or "",
                price=money(option.price, facts.currency), earliest=day(option.earliest),
                latest=day(option.latest), cutoff=time_of_day(option.cutoff_local), timezone=tz,
            )  # fmt: skip
        first = facts.options[0]
        if first.ships_today:
            dispatcher.utter_message(
                response="utter_shipping_cutoff_today", cutoff=time_of_day(first.cutoff_local), timezone=tz
            )
        else:
            dispatcher.utter_message(
                response="utter_shipping_cutoff_passed", cutoff=time_of_day(first.cutoff_local), timezone=tz,
                ship_date=day(first.ship_date),
            )  # fmt: skip
        free = next((o for o in facts.options if o.free_shipping_threshold is not None), None)
        if free is None:
            dispatcher.utter_message(response="utter_shipping_next_steps")
            return
        threshold = money(free.free_shipping_threshold or Decimal(0), facts.currency)
        response = "utter_shipping_free_reached" if free.price == 0 else "utter_shipping_free_threshold"
        dispatcher.utter_message(response=response, method=free.name, threshold=threshold)


class ActionAskShippingFormCountry(Action):
    """Ask for the destination, listing the countries we ship to."""

    def name(self) -> str:
        return "action_ask_shipping_form_country"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        destinations = await query_store(shipping_destinations)
        dispatcher.utter_message(
            response="utter_ask_shipping_form_country", destinations=listing(destinations)
        )
        return []


DUTIES = re.compile(
    r"\b(?:customs|duty|duties|import (?:tax\w*|fees?|charges?)|vat|tariffs?|gst)\b", re.IGNORECASE
)
"""Words of a question about import duties and taxes."""
PICKUP = re.compile(
    r"\b(?:pick(?:ing)? ?(?:it |them |my order |the order )?up|collect\w*|click (?:and|&|n) collect"
    r"|in[- ](?:store|person)|come (?:and|to) get)\b",
    re.IGNORECASE,
)
"""Words of a question about collecting an order instead of delivery."""


def _a_terms_question(tracker: Tracker) -> bool:
    """A question about import duties or collecting the order (answered without a destination)."""
    text = str((tracker.latest_message or {}).get("text") or "")
    return bool(DUTIES.search(text) or PICKUP.search(text))


async def answer_delivery_terms(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Answer a question about import duties or collection from ``shipping.yaml``; False when the
    message asks neither."""
    text = str((tracker.latest_message or {}).get("text") or "")
    duties, pickup = DUTIES.search(text), PICKUP.search(text)
    if not (duties or pickup):
        return False
    terms = await query_store(delivery_terms)
    if pickup:
        if terms.pickup:
            dispatcher.utter_message(response="utter_shipping_pickup", pickup=terms.pickup)
        else:
            destinations = listing(await query_store(shipping_destinations))
            dispatcher.utter_message(response="utter_shipping_no_pickup", destinations=destinations)
    if duties:
        country = str(tracker.get_slot("country") or "")
        home = terms.home_country or ""
        if country and home and country.strip().lower() == home.lower():
            dispatcher.utter_message(response="utter_shipping_duties_domestic", country=home)
        elif terms.duties_paid_by is None:
            dispatcher.utter_message(response="utter_shipping_duties_unknown")
        else:
            dispatcher.utter_message(response=f"utter_shipping_duties_{terms.duties_paid_by}")
    return True


def _a_price_question(tracker: Tracker) -> bool:
    """A product's price asked with no destination named (:func:`asks_the_price`)."""
    entities = (tracker.latest_message or {}).get("entities") or []
    return asks_the_price(tracker) and not any(e.get("entity") in ("country", "region") for e in entities)


class ValidateShippingForm(HandoffOnRepeatedFailure):
    """Normalise the destination to the store's country name."""

    def name(self) -> str:
        return "validate_shipping_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        """No destination to ask for when the question is about the verified order's own delivery:
        ``action_shipping_info`` then answers with that order (:mod:`actions.follow_ups`); nor
        when "how much is it?" (read as a shipping question) asks the price of the product just
        talked about, nor for a question about import duties or collecting the order:
        ``action_shipping_info`` then answers it."""
        first_turn = tracker.get_slot("requested_slot") is None
        if first_turn and (
            delivery_of_order_in_context(tracker) or _a_price_question(tracker) or _a_terms_question(tracker)
        ):
            return []
        return domain_slots

    async def validate_country(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A place the gazetteer knows becomes its country's name and region code ("Calgary" ->
        Canada, AB), whether or not we ship there, so that ``action_shipping_info`` answers for the
        right zone or says we don't deliver there; anything else is kept as the shopper wrote it.
        A country's name keeps the region the same message named (the extractor fills both)."""
        if not isinstance(value, str) or not value.strip():
            return {"country": None}
        await read_gazetteer_libraries()
        place = await query_store(_lookup_place, name=value)
        if place is None:
            return {"country": value.strip(), "region": None}
        # The slot holds the country's name, so a state or province named with it is kept.
        return {"country": place.country_name, "region": place.region_code or mentioned_region(tracker)}


def _lookup_place(session: Session, name: str) -> Optional[Place]:
    return load_gazetteer(session).lookup(name)
