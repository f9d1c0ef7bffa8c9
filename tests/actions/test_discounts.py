"""action_check_discount and validate_discount_form, on the sample store's codes (data/store/discounts.yaml).

Code dates are relative to the day the sample was loaded, so expected dates are read from the store.
"""

from __future__ import annotations

from datetime import date
from typing import Optional
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.discounts import (
    ActionCheckDiscount,
    ValidateDiscountForm,
    asks_about_offers,
    codes_in,
)
from store.db import make_engine, session_scope
from store.discounts import DISCOUNT_OFFERS_KEY
from store.models import DiscountCode, StoreSetting
from tests.actions.catalog_support import DOMAIN, catalog_store, make_tracker, said  # noqa: F401

pytestmark = pytest.mark.usefixtures("catalog_store")

ALL_CATEGORIES = (
    "Accessories, Boots, Dresses & Skirts, Jackets & Coats, Jeans & Trousers, Knitwear, Sandals, "
    "Shirts, Sneakers, Swimwear, Tops & Tees"
)
DONE = [SlotSet("discount_code", None)]
HOODIE = "KNT-014-CHA0-M"  # Zip Hoodie, Knitwear
TOTE = "ACC-001-TAN0-OS"  # Canvas Tote Bag, Accessories


def shown(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def code_dates(url: str, code: str) -> tuple[str, str]:
    """The code's start and end as the shopper sees them (store time zone)."""
    with session_scope(make_engine(url)) as session:
        row = session.execute(select(DiscountCode).where(DiscountCode.code == code)).scalar_one()
        tz = ZoneInfo("America/New_York")
        return shown(row.starts_at.astimezone(tz).date()), shown(row.ends_at.astimezone(tz).date())


def cart(sku: str, price: str, quantity: int = 1) -> dict:
    return {"cart": [{"sku": sku, "quantity": quantity, "price": price}]}


async def check(code: Optional[str], metadata: Optional[dict] = None) -> tuple[list, list]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="discount_code", slots={"discount_code": code}, metadata=metadata)
    events = await ActionCheckDiscount().run(dispatcher, tracker, DOMAIN)
    return events, said(dispatcher)


@pytest.mark.parametrize(
    ("text", "asked", "codes"),
    [
        ("why won't SUMMER20 apply", False, ["SUMMER20"]),
        ("welcome10 isn't working", False, ["WELCOME10"]),
        ("code FREESHIP not working", False, ["FREESHIP"]),
        ("do you have any discount codes", False, []),
        ("the 15% off code only took off 5 dollars", False, []),
        ("freeship", True, ["FREESHIP"]),
        ("freeship", False, []),
        ("/deny", True, []),
    ],
)
def test_codes_in_text(text: str, asked: bool, codes: list) -> None:
    assert codes_in(text, asked=asked) == codes


async def test_an_expired_code_says_when_it_ended(store_db_url: str) -> None:
    starts, ended = code_dates(store_db_url, "SUMMER20")
    events, messages = await check("SUMMER20")
    assert events == DONE
    assert messages == [
        {
            "response": "utter_discount_expired",
            "code": "SUMMER20",
            "eligible": ALL_CATEGORIES,
            "ended": ended,
            "starts": starts,
        }
    ]


async def test_minimum_spend_not_met_says_how_much_is_missing(store_db_url: str) -> None:
    starts, ended = code_dates(store_db_url, "TAKE15")
    events, messages = await check("TAKE15", cart(HOODIE, "50.00"))
    assert events == DONE
    assert messages == [
        {
            "response": "utter_discount_min_spend",
            "code": "TAKE15",
            "eligible": ALL_CATEGORIES,
            "min_spend": "$75.00",
            "missing": "$25.00",
            "ended": ended,
            "starts": starts,
        }
    ]


async def test_a_category_code_on_a_cart_without_that_category(store_db_url: str) -> None:
    starts, ended = code_dates(store_db_url, "BOOTS20")
    events, messages = await check("BOOTS20", cart(HOODIE, "86.00"))
    assert events == DONE
    assert messages == [
        {
            "response": "utter_discount_excluded_items",
            "code": "BOOTS20",
            "eligible": "Boots",
            "ended": ended,
            "starts": starts,
        },
        {"response": "utter_discount_next_steps"},
    ]


async def test_excluded_categories_are_named(store_db_url: str) -> None:
    _, messages = await check("SPRING25", cart(TOTE, "120.00"))
    assert [m["response"] for m in messages] == [
        "utter_discount_excluded_items",
        "utter_discount_not_covered",
        "utter_discount_next_steps",
    ]
    assert messages[1]["excluded"] == "Accessories, Swimwear"


async def test_a_code_that_works_says_what_it_takes_off() -> None:
    events, messages = await check("welcome10", cart(HOODIE, "30.00", quantity=2))
    assert events == DONE
    assert [(m["response"], m.get("amount")) for m in messages] == [("utter_discount_applies", "$6.00")]


async def test_a_free_shipping_code_that_works() -> None:
    _, messages = await check("FREESHIP", cart(HOODIE, "45.00"))
    assert [m["response"] for m in messages] == ["utter_discount_applies_free_shipping"]


async def test_without_a_cart_the_terms_are_explained(store_db_url: str) -> None:
    starts, ended = code_dates(store_db_url, "TAKE15")
    terms = {
        "code": "TAKE15",
        "eligible": ALL_CATEGORIES,
        "min_spend": "$75.00",
        "ended": ended,
        "starts": starts,
    }
    events, messages = await check("TAKE15")
    assert events == DONE
    assert messages == [
        {"response": "utter_discount_terms", **terms},
        {"response": "utter_discount_terms_min_spend", **terms},
        {"response": "utter_discount_next_steps"},
    ]


@pytest.mark.parametrize(
    ("code", "response"),
    [
        ("NOPE123", "utter_discount_unknown"),
        ("EARLYACCESS", "utter_discount_not_started"),
        ("VIP50", "utter_discount_usage_limit"),
    ],
)
async def test_other_reasons_have_their_own_answer(code: str, response: str) -> None:
    events, messages = await check(code, cart(HOODIE, "300.00"))
    assert events == DONE
    assert [(m["response"], m["code"]) for m in messages] == [(response, code)]


async def test_no_code_explains_how_codes_work() -> None:
    events, messages = await check(None)
    assert events == DONE
    assert messages == [{"response": "utter_discount_general"}]


async def test_a_question_about_offers_inside_another_flow_gets_the_offers() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="discount_code", text="any promo codes?", active_loop="order_status_form")
    assert await ActionCheckDiscount().run(dispatcher, tracker, DOMAIN) == DONE
    assert _without_dates(said(dispatcher)) == OFFER_LINES


@pytest.mark.parametrize(
    ("intent", "text", "requested", "events"),
    [
        ("discount_code", "why won't SUMMER20 apply", None, [SlotSet("discount_code", "SUMMER20")]),
        ("inform", "take15", "discount_code", [SlotSet("discount_code", "TAKE15")]),
        (
            "discount_code",
            "do you have any discount codes",
            None,
            [ActiveLoop(None), SlotSet("requested_slot", None)],
        ),
        ("discount_code", "my discount code isn't working", None, []),
        ("discount_code", "/discount_code", None, []),
        ("deny", "no code", "discount_code", []),
        ("stop", "STOP", "discount_code", []),
    ],
)
async def test_validate_discount_form_finds_the_code(intent: str, text: str, requested, events: list) -> None:
    tracker = make_tracker(intent=intent, text=text, slots={"requested_slot": requested})
    assert await ValidateDiscountForm().run(CollectingDispatcher(), tracker, DOMAIN) == events


@pytest.mark.parametrize(("value", "kept"), [(" take15 ", "TAKE15"), ("two words", None), ("", None)])
async def test_validate_discount_code(value: str, kept) -> None:
    tracker = make_tracker(set_this_turn={"discount_code": value})
    result = await ValidateDiscountForm().validate_discount_code(
        value, CollectingDispatcher(), tracker, DOMAIN
    )
    assert result == {"discount_code": kept}


@pytest.mark.parametrize(
    ("text", "about_offers"),
    [
        ("any promo codes?", True),
        ("do you have a student discount", True),
        ("is there a sale on at the moment", True),
        ("where do i enter the discount code", True),
        ("do you price match", True),
        ("it's cheaper on amazon, will you match the price?", True),
        ("the item dropped in price after i bought it, can i get the difference", True),
        ("my discount code isn't working", False),
        ("the code says expired", False),
        ("coupon broken?", False),
        ("i forgot to add my promo code at checkout", False),
        ("can you refund the difference, i forgot the promo code", False),
        ("why won't SUMMER20 apply", False),
        ("/discount_code", False),
    ],
)
def test_a_question_about_offers_is_told_from_a_code_going_wrong(text: str, about_offers: bool) -> None:
    assert asks_about_offers(text) is about_offers


async def offers(text: str) -> list:
    """What action_check_discount says with no code, after the form ended on an offers question."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="discount_code", text=text)
    assert await ActionCheckDiscount().run(dispatcher, tracker, DOMAIN) == DONE
    return said(dispatcher)


class _Offers:
    """The sample store's ``offers`` replaced for one test, then put back."""

    def __init__(self, url: str, **changes: object) -> None:
        self.engine, self.changes, self.saved = make_engine(url), changes, None

    def __enter__(self) -> None:
        with session_scope(self.engine) as session:
            row = session.get(StoreSetting, DISCOUNT_OFFERS_KEY)
            self.saved = dict(row.value)
            row.value = {**self.saved, **self.changes}

    def __exit__(self, *exc: object) -> None:
        with session_scope(self.engine) as session:
            session.get(StoreSetting, DISCOUNT_OFFERS_KEY).value = self.saved


OFFER_LINES = [
    {"response": "utter_discount_offers_header"},
    {"response": "utter_discount_offer_percentage_min_spend", "code": "WELCOME10", "value": "10",
     "amount": "$10.00", "min_spend": "$50.00"},
    {"response": "utter_discount_offer_free_shipping_min_spend", "code": "FREESHIP", "value": "0",
     "amount": "$0.00", "min_spend": "$40.00"},
    {"response": "utter_discount_offers_how"},
]  # fmt: skip


def _without_dates(messages: list) -> list:
    return [{k: v for k, v in m.items() if k != "ended"} for m in messages]


async def test_the_public_codes_valid_now_are_listed(store_db_url: str) -> None:
    messages = await offers("any promo codes?")
    assert _without_dates(messages) == OFFER_LINES
    assert messages[1]["ended"] == code_dates(store_db_url, "WELCOME10")[1]


async def test_no_price_match_is_said_before_the_codes() -> None:
    messages = await offers("do you price match?")
    assert _without_dates(messages) == [{"response": "utter_discount_no_price_match"}, *OFFER_LINES]


async def test_a_price_drop_is_refunded_within_the_stores_days() -> None:
    messages = await offers("it went on sale the day after I bought it, can I get the difference?")
    assert messages == [{"response": "utter_discount_price_adjustment", "days": "14"}]


async def test_without_price_adjustment_the_codes_follow(store_db_url: str) -> None:
    with _Offers(store_db_url, price_adjustment_days=0):
        messages = await offers("the price dropped after I ordered")
    assert _without_dates(messages) == [{"response": "utter_discount_no_price_adjustment"}, *OFFER_LINES]


async def test_a_store_that_did_not_say_about_price_matching_lets_a_person_answer(store_db_url: str) -> None:
    with _Offers(store_db_url, price_match=None):
        messages = await offers("will you match a lower price from another store")
    assert messages == [{"response": "utter_discount_price_match_unknown"}]


async def test_a_store_that_matches_prices_says_so(store_db_url: str) -> None:
    with _Offers(store_db_url, price_match=True):
        messages = await offers("do you price match")
    assert messages == [{"response": "utter_discount_price_match"}]


async def test_codes_that_are_not_public_or_not_valid_now_are_never_named(store_db_url: str) -> None:
    with _Offers(store_db_url, public=["SUMMER20", "EARLYACCESS", "VIP50", "BOOTS20"]):
        messages = await offers("any discount codes?")
    assert [m.get("code") for m in messages] == [None, "BOOTS20", "BOOTS20", None]
    assert messages[2] == {"response": "utter_discount_offer_covers", "code": "BOOTS20", "eligible": "Boots"}
    with _Offers(store_db_url, public=[]):
        assert await offers("any discount codes?") == [{"response": "utter_discount_no_offers"}]
