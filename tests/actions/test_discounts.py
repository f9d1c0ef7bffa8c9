"""action_check_discount and validate_discount_form, on the sample store's codes (data/store/discounts.yaml).

Code dates are relative to the day the sample was loaded, so expected dates are read from the store.
"""

from __future__ import annotations

from datetime import date
from typing import Optional
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.discounts import ActionCheckDiscount, ValidateDiscountForm, codes_in
from store.db import make_engine, session_scope
from store.models import DiscountCode
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


@pytest.mark.parametrize(
    ("intent", "text", "requested", "events"),
    [
        ("discount_code", "why won't SUMMER20 apply", None, [SlotSet("discount_code", "SUMMER20")]),
        ("inform", "take15", "discount_code", [SlotSet("discount_code", "TAKE15")]),
        ("discount_code", "do you have any discount codes", None, []),
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
