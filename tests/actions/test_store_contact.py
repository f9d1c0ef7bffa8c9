"""When the team works and how to reach it (actions/store_contact.py), on the sample store: support
Monday to Friday, 9 AM to 6 PM New York time, help@northwind-outfitters.example, +1 800 555 0199."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionStorefrontFallback
from actions.store_contact import asks_for_contact_details, asks_store_hours, utter_store_hours, working_days
from core.clock import pinned
from tests.actions.catalog_support import DOMAIN, catalog_store, said  # noqa: F401
from tests.support.trackers import make_tracker

pytestmark = pytest.mark.usefixtures("catalog_store")

CONTACT = {
    "response": "utter_store_contact",
    "email": "help@northwind-outfitters.example",
    "phone": "+1 800 555 0199",
}
HOURS = {
    "response": "utter_store_hours",
    "days": "Monday\u2013Friday",
    "opens": "9:00 AM",
    "closes": "6:00 PM",
}


@pytest.mark.parametrize(
    ("text", "about_hours"),
    [
        ("are you open on sunday?", True),
        ("what are your opening hours", True),
        ("when r u open", True),
        ("what time does customer service close", True),
        ("what are your opening hours for the gym", False),
        ("is the pharmacy open today", False),
        ("do you have the parka in navy", False),
    ],
)
def test_a_question_about_this_stores_hours(text: str, about_hours: bool) -> None:
    assert asks_store_hours(text) is about_hours


@pytest.mark.parametrize(
    ("text", "details"),
    [("what's your phone number?", True), ("can I email someone", True), ("get me a human", False)],
)
def test_a_request_for_contact_details(text: str, details: bool) -> None:
    assert asks_for_contact_details(text) is details


def test_working_days() -> None:
    assert working_days(("mon", "tue", "wed", "thu", "fri")) == "Monday\u2013Friday"
    assert working_days(("mon", "wed", "fri")) == "Monday, Wednesday, Friday"


async def test_on_a_saturday_the_team_is_back_on_monday() -> None:
    dispatcher = CollectingDispatcher()
    with pinned(datetime(2026, 12, 5, 15, 0, tzinfo=timezone.utc)):  # Saturday 10 AM in New York
        await utter_store_hours(dispatcher)
    messages = said(dispatcher)
    assert [{k: v for k, v in m.items() if k != "timezone"} for m in messages] == [
        HOURS,
        {"response": "utter_store_hours_back", "day": "Mon 7 Dec", "opens": "9:00 AM"},
        CONTACT,
    ]


async def test_on_a_weekday_morning_the_team_is_in() -> None:
    dispatcher = CollectingDispatcher()
    with pinned(datetime(2026, 12, 8, 15, 0, tzinfo=timezone.utc)):  # Tuesday 10 AM in New York
        await utter_store_hours(dispatcher)
    assert [m["response"] for m in said(dispatcher)] == [
        "utter_store_hours", "utter_store_hours_open_now", "utter_store_contact",
    ]  # fmt: skip


async def test_the_fallback_answers_an_hours_question_it_would_call_out_of_scope() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="out_of_scope", text="are you open on sunday?")
    assert await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN) == []
    assert said(dispatcher)[0]["response"] == "utter_store_hours"
