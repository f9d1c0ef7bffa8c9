"""action_shipping_info, the destination question and validate_shipping_form, on the sample store.

Expected prices, thresholds, cut-offs and dates come from data/store/shipping.yaml and store.yaml
(business days Mon-Fri, Juneteenth a holiday), worked out by hand for a pinned clock.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime, timezone
from typing import Callable, Iterator, Optional

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.shipping import ActionAskShippingFormCountry, ActionShippingInfo, ValidateShippingForm
from core.clock import pinned
from tests.actions.catalog_support import DOMAIN, catalog_store, entity, make_tracker, said  # noqa: F401

pytestmark = pytest.mark.usefixtures("catalog_store")

DESTINATIONS = (
    "Australia, Belgium, Canada, Denmark, France, Germany, Ireland, Italy, Netherlands, New Zealand, "
    "Spain, Sweden, United Kingdom, United States"
)
TUESDAY_10AM_NEW_YORK = datetime(2026, 6, 9, 14, 0, tzinfo=timezone.utc)
FRIDAY_3PM_NEW_YORK = datetime(2026, 6, 12, 19, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> Iterator[Callable[[datetime], None]]:
    """Pin the one clock (store and actions alike) for the rest of the test."""
    with ExitStack() as pins:

        def pin(moment: datetime) -> None:
            pins.enter_context(pinned(moment))

        yield pin


async def test_us_before_the_cutoff_ships_today_with_every_method_and_the_free_threshold(clock) -> None:
    clock(TUESDAY_10AM_NEW_YORK)
    dispatcher = CollectingDispatcher()
    events = await ActionShippingInfo().run(
        dispatcher, make_tracker(slots={"country": "United States"}), DOMAIN
    )
    assert events == []
    assert said(dispatcher) == [
        {"response": "utter_shipping_header", "destination": "United States"},
        {"response": "utter_shipping_option", "method": "Standard", "carrier": "USPS", "price": "$5.95",
         "earliest": "Fri 12 Jun", "latest": "Tue 16 Jun", "cutoff": "2:00 PM", "timezone": "EDT"},
        {"response": "utter_shipping_option", "method": "Express", "carrier": "UPS", "price": "$14.95",
         "earliest": "Wed 10 Jun", "latest": "Thu 11 Jun", "cutoff": "12:00 PM", "timezone": "EDT"},
        {"response": "utter_shipping_option_one_day", "method": "Overnight", "carrier": "FedEx",
         "price": "$29.95", "earliest": "Wed 10 Jun", "latest": "Wed 10 Jun", "cutoff": "11:00 AM",
         "timezone": "EDT"},
        {"response": "utter_shipping_cutoff_today", "cutoff": "2:00 PM", "timezone": "EDT"},
        {"response": "utter_shipping_free_threshold", "method": "Standard", "threshold": "$75.00"},
    ]  # fmt: skip


async def test_after_friday_cutoff_ships_monday_and_skips_the_holiday(clock) -> None:
    clock(FRIDAY_3PM_NEW_YORK)
    dispatcher = CollectingDispatcher()
    events = await ActionShippingInfo().run(dispatcher, make_tracker(slots={"country": "uk"}), DOMAIN)
    assert events == [SlotSet("country", "United Kingdom")]
    assert said(dispatcher) == [
        {"response": "utter_shipping_header", "destination": "United Kingdom"},
        {"response": "utter_shipping_option", "method": "Standard International", "carrier": "DHL eCommerce",
         "price": "$19.95", "earliest": "Wed 24 Jun", "latest": "Tue 30 Jun", "cutoff": "2:00 PM",
         "timezone": "EDT"},
        {"response": "utter_shipping_option", "method": "Express International", "carrier": "DHL Express",
         "price": "$39.95", "earliest": "Thu 18 Jun", "latest": "Tue 23 Jun", "cutoff": "12:00 PM",
         "timezone": "EDT"},
        {"response": "utter_shipping_cutoff_passed", "cutoff": "2:00 PM", "timezone": "EDT",
         "ship_date": "Mon 15 Jun"},
        {"response": "utter_shipping_free_threshold", "method": "Standard International",
         "threshold": "$200.00"},
    ]  # fmt: skip


async def test_a_cart_over_the_threshold_ships_free(clock) -> None:
    clock(TUESDAY_10AM_NEW_YORK)
    cart = [{"sku": "KNT-014-CHA0-M", "quantity": 1, "price": "86.00"}]
    tracker = make_tracker(
        slots={"country": "United States", "postal_code": "10001"}, metadata={"cart": cart}
    )
    dispatcher = CollectingDispatcher()
    await ActionShippingInfo().run(dispatcher, tracker, DOMAIN)
    messages = said(dispatcher)
    assert messages[0] == {"response": "utter_shipping_header", "destination": "United States 10001"}
    assert messages[1]["response"] == "utter_shipping_option_free"
    assert messages[1]["method"] == "Standard"
    assert messages[-1] == {
        "response": "utter_shipping_free_reached",
        "method": "Standard",
        "threshold": "$75.00",
    }


async def test_an_alaska_zip_code_gets_the_remote_zone(clock) -> None:
    clock(TUESDAY_10AM_NEW_YORK)
    tracker = make_tracker(slots={"country": "United States", "postal_code": "99501"})
    dispatcher = CollectingDispatcher()
    await ActionShippingInfo().run(dispatcher, tracker, DOMAIN)
    options = [m for m in said(dispatcher) if m["response"].startswith("utter_shipping_option")]
    assert [(m["method"], m["price"]) for m in options] == [("Standard", "$12.95"), ("Express", "$34.95")]
    assert said(dispatcher)[-1]["threshold"] == "$150.00"


async def test_a_country_we_do_not_ship_to_lists_where_we_do(clock) -> None:
    clock(TUESDAY_10AM_NEW_YORK)
    dispatcher = CollectingDispatcher()
    events = await ActionShippingInfo().run(dispatcher, make_tracker(slots={"country": "Japan"}), DOMAIN)
    assert events == []
    assert said(dispatcher) == [
        {"response": "utter_shipping_destination_unknown", "country": "Japan", "destinations": DESTINATIONS}
    ]


async def test_without_a_destination_it_lists_where_we_ship() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionShippingInfo().run(dispatcher, make_tracker(), DOMAIN)
    assert events == []
    assert said(dispatcher) == [{"response": "utter_shipping_overview", "destinations": DESTINATIONS}]


async def test_the_destination_question_lists_the_countries() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionAskShippingFormCountry().run(dispatcher, make_tracker(), DOMAIN)
    assert events == []
    assert said(dispatcher) == [{"response": "utter_ask_shipping_form_country", "destinations": DESTINATIONS}]


@pytest.mark.parametrize(
    ("typed", "country", "region"),
    [
        ("uk", "United Kingdom", None),
        ("the States", "United States", None),
        ("Japan", "Japan", None),
        ("Calgary", "Canada", "AB"),
        ("oregon", "United States", "OR"),
        ("Tokyo", "Japan", None),
        ("Atlantis", "Atlantis", None),
    ],
)
async def test_validate_country_resolves_places_to_the_country_and_region(
    typed: str, country: str, region: Optional[str]
) -> None:
    tracker = make_tracker(intent="inform", set_this_turn={"country": typed})
    events = await ValidateShippingForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events == [SlotSet("country", country), SlotSet("region", region)]


async def test_validate_country_keeps_the_region_named_in_the_same_message() -> None:
    """The extractor fills country "Canada" and region "BC" for "Vancouver": the region stays set."""
    said_place = [entity("country", "Canada", 0, 9), entity("region", "BC", 0, 9)]
    tracker = make_tracker(
        intent="inform", text="Vancouver", entities=said_place, slots={"region": "BC"},
        set_this_turn={"country": "Canada"},
    )  # fmt: skip
    events = await ValidateShippingForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events == [SlotSet("country", "Canada"), SlotSet("region", "BC")]  # not None: kept


async def test_validate_country_rejects_a_blank_answer() -> None:
    tracker = make_tracker(intent="inform", set_this_turn={"country": "  "})
    events = await ValidateShippingForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events == [SlotSet("country", None)]


async def test_a_state_with_its_own_zone_gets_that_zones_prices(clock) -> None:
    clock(TUESDAY_10AM_NEW_YORK)
    dispatcher = CollectingDispatcher()
    place = [entity("country", "United States", 0, 6), entity("region", "AK", 0, 6)]
    tracker = make_tracker(slots={"country": "United States", "region": "AK"}, text="Alaska", entities=place)
    events = await ActionShippingInfo().run(dispatcher, tracker, DOMAIN)
    assert events == []
    assert said(dispatcher)[0] == {
        "response": "utter_shipping_header",
        "destination": "Alaska, United States",
    }
    options = [m for m in said(dispatcher) if m["response"].startswith("utter_shipping_option")]
    assert [(m["method"], m["price"]) for m in options] == [("Standard", "$12.95"), ("Express", "$34.95")]


async def test_a_city_is_answered_for_its_country_and_province(clock) -> None:
    clock(TUESDAY_10AM_NEW_YORK)
    dispatcher = CollectingDispatcher()
    events = await ActionShippingInfo().run(dispatcher, make_tracker(slots={"country": "Vancouver"}), DOMAIN)
    assert events == [SlotSet("country", "Canada"), SlotSet("region", "BC")]
    assert said(dispatcher)[0] == {
        "response": "utter_shipping_header",
        "destination": "British Columbia, Canada",
    }
    options = [m for m in said(dispatcher) if m["response"].startswith("utter_shipping_option")]
    assert [(m["carrier"], m["price"]) for m in options] == [
        ("Canada Post", "$12.95"),
        ("DHL Express", "$29.95"),
    ]


async def test_a_country_named_after_a_state_is_answered_for_the_whole_country(clock) -> None:
    """ "Alaska" earlier, then "and the United States?": the region slot is stale, mainland prices."""
    clock(TUESDAY_10AM_NEW_YORK)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={"country": "United States", "region": "AK"}, text="and the United States?",
        entities=[entity("country", "United States", 8, 21)],
    )  # fmt: skip
    events = await ActionShippingInfo().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("region", None)]
    assert said(dispatcher)[0] == {"response": "utter_shipping_header", "destination": "United States"}
    assert said(dispatcher)[1]["price"] == "$5.95"


async def test_a_city_where_we_do_not_ship_names_its_country(clock) -> None:
    clock(TUESDAY_10AM_NEW_YORK)
    dispatcher = CollectingDispatcher()
    events = await ActionShippingInfo().run(dispatcher, make_tracker(slots={"country": "Osaka"}), DOMAIN)
    assert events == []
    assert said(dispatcher) == [
        {"response": "utter_shipping_destination_unknown", "country": "Japan", "destinations": DESTINATIONS}
    ]


async def test_a_store_failure_apologises_and_offers_a_person(store_down: None) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionShippingInfo().run(dispatcher, make_tracker(slots={"country": "Canada"}), DOMAIN)
    assert events == [SlotSet("handoff_reason", "action_failed")]
    assert said(dispatcher) == [{"response": "utter_store_unavailable"}]


async def test_a_store_failure_in_the_destination_question_ends_the_form_with_the_apology(
    store_down: None,
) -> None:
    """The failure policy for validators: nothing said this turn is kept, the form ends."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        intent="inform", set_this_turn={"country": "Canada"}, slots={"requested_slot": "country"},
        active_loop="shipping_form",
    )  # fmt: skip
    events = await ValidateShippingForm().run(dispatcher, tracker, DOMAIN)
    assert said(dispatcher) == [{"response": "utter_store_unavailable"}]
    assert events == [
        SlotSet("country", None),
        SlotSet("handoff_reason", "action_failed"),
        ActiveLoop(None),
        SlotSet("requested_slot", None),
    ]


# -- "how much is it?" reads as a shipping question ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "asks_the_destination"),
    [
        ("how much is it?", False),  # the product just talked about
        ("how much is shipping for it?", True),
        ("how much is it to ship to Canada?", True),
    ],
)
async def test_the_price_of_the_product_talked_about_is_no_shipping_question(
    text: str, asks_the_destination: bool
) -> None:
    tracker = make_tracker(intent="shipping_info", text=text, slots={"product": "chelsea-boot"})
    slots = await ValidateShippingForm().required_slots(["country"], CollectingDispatcher(), tracker, DOMAIN)
    assert (slots == ["country"]) is asks_the_destination


async def test_the_price_question_gets_the_price_from_the_shipping_answer() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="shipping_info", text="how much is it?", slots={"product": "chelsea-boot"})
    events = await ActionShippingInfo().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("product", "chelsea-boot")]
    [message] = said(dispatcher)
    assert message["response"] == "utter_product_price" and message["product"] == "Chelsea Boot"


# -- import duties and collecting an order ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "country", "responses"),
    [
        ("is there customs to pay?", "United Kingdom", ["utter_shipping_duties_recipient"]),
        ("do I have to pay import duties", None, ["utter_shipping_duties_recipient"]),
        ("any customs fees?", "United States", ["utter_shipping_duties_domestic"]),
        ("can I pick up in store?", None, ["utter_shipping_no_pickup"]),
        (
            "can I collect it and will there be VAT?",
            None,
            ["utter_shipping_no_pickup", "utter_shipping_duties_recipient"],
        ),
    ],
)
async def test_duties_and_collection_are_answered_from_the_store(text: str, country, responses: list) -> None:
    tracker = make_tracker(intent="shipping_info", text=text, slots={"country": country})
    assert (
        await ValidateShippingForm().required_slots(["country"], CollectingDispatcher(), tracker, DOMAIN)
        == []
    )
    dispatcher = CollectingDispatcher()
    assert await ActionShippingInfo().run(dispatcher, tracker, DOMAIN) == []
    messages = said(dispatcher)
    assert [m["response"] for m in messages] == responses
    if responses[0] == "utter_shipping_no_pickup":
        assert "Canada" in messages[0]["destinations"]
