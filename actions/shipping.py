"""Shipping: prices, delivery dates and the dispatch cut-off for the shopper's destination.

``action_shipping_info`` answers on its own (the orders helper uses it as a digression inside the
return form): with a destination it lists each method's price, delivery window and cut-off, the
free-shipping threshold and whether an order placed now leaves today; without one it lists where we
ship. ``shipping_form`` asks for the destination first when the shopper has not named one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.formatting import day, listing, money, time_of_day, zone_abbreviation
from actions.handoff_triggers import HandoffOnRepeatedFailure
from actions.page_context import cart_lines, cart_subtotal
from actions.store_access import answers_store_failure, query_store
from core import clock
from store.info import store_info
from store.shipping import (
    DeliveryOption,
    Destination,
    delivery_estimate,
    resolve_destination,
    shipping_destinations,
)


@dataclass(frozen=True)
class ShippingFacts:
    """Everything one shipping reply needs, read in one store session."""

    destination: Optional[Destination]
    options: List[DeliveryOption]
    destinations: List[str]
    currency: str
    timezone: str


def shipping_facts(
    session: Session,
    *,
    country: Optional[str],
    postal_code: Optional[str],
    subtotal: Optional[Decimal],
    now: datetime,
) -> ShippingFacts:
    """The destination, its delivery options and the store's destinations, currency and time zone."""
    info = store_info(session)
    if not country:
        return ShippingFacts(None, [], shipping_destinations(session), info.currency, info.timezone)
    destination = resolve_destination(session, country=country, postal_code=postal_code)
    options = (
        delivery_estimate(session, country=country, postal_code=postal_code, subtotal=subtotal, now=now)
        if destination
        else []
    )
    return ShippingFacts(destination, options, shipping_destinations(session), info.currency, info.timezone)


class ActionShippingInfo(Action):
    """Delivery options to the shopper's destination, or where we ship when it is unknown."""

    def name(self) -> str:
        return "action_shipping_info"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        country, postal_code = tracker.get_slot("country"), tracker.get_slot("postal_code")
        now = clock.now()
        facts = await query_store(
            shipping_facts, country=country, postal_code=postal_code,
            subtotal=cart_subtotal(cart_lines(tracker)), now=now,
        )  # fmt: skip
        destinations = listing(facts.destinations)
        if not country:
            dispatcher.utter_message(response="utter_shipping_overview", destinations=destinations)
            return []
        if facts.destination is None or not facts.options:
            dispatcher.utter_message(
                response="utter_shipping_destination_unknown", country=country, destinations=destinations
            )
            return []
        self._describe(dispatcher, facts, now)
        return (
            []
            if facts.destination.country_name == country
            else [SlotSet("country", facts.destination.country_name)]
        )

    @staticmethod
    def _describe(dispatcher: CollectingDispatcher, facts: ShippingFacts, now: datetime) -> None:
        assert facts.destination is not None
        tz = zone_abbreviation(facts.timezone, now)
        place = facts.destination.country_name
        if facts.destination.postal_code:
            place = f"{place} {facts.destination.postal_code}"
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


class ValidateShippingForm(HandoffOnRepeatedFailure):
    """Normalise the destination to the store's country name."""

    def name(self) -> str:
        return "validate_shipping_form"

    async def validate_country(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A country we ship to becomes its store name; any other country is kept as the shopper
        wrote it, so that ``action_shipping_info`` can say we don't deliver there."""
        if not isinstance(value, str) or not value.strip():
            return {"country": None}
        found = await query_store(resolve_destination, country=value)
        return {"country": found.country_name if found else value.strip()}
