"""When the store's team works and how to reach it, from ``store.yaml`` (``business_hours``,
``closures``, ``support``).

"Are you open on Sunday?" and "what are your opening hours?" read to the classifier as out of
scope (they are about a place's hours, like a gym's); the fallback answers them with the team's
hours when they are about this store (:func:`asks_store_hours`). "What's your phone number?" asks
for a person (``human_handoff``), who is fetched; the store's email and phone come first
(:func:`asks_for_contact_details`).
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime
from typing import Tuple

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.formatting import day, listing, time_of_day, zone_abbreviation
from actions.store_access import query_store, query_store_or
from store.calendar import parse_hhmm, weekday_numbers
from store.info import StoreInfo, SupportHours, store_info, support_hours

HOURS = re.compile(
    r"\b(?:opening|business|working|office|support|customer service|service) hours\b|\bhours\b"
    r"|\bopen(?:ed)? (?:on|today|tomorrow|now|at|until|till|late|over|during|this|at the weekend|weekends?)\b"
    r"|\bwhen (?:are|do|r) (?:you|u|ya) (?:open|close|closed|working|available)\b"
    r"|\b(?:are|r) (?:you|u|ya) (?:open|closed|working)\b"
    r"|\bwhat time (?:do|does|are|r) (?:you|u|ya|the store|the shop|support|customer service) (?:open|close)",
    re.IGNORECASE,
)
"""Words of a question about when the store's team works."""
ABOUT_THE_STORE = re.compile(
    r"\b(?:you|your|u|ur|ya|yall|store|shop|support|team|customer service|staff|helpline)\b", re.IGNORECASE
)
OTHER_PLACES = re.compile(
    r"\b(?:gym|pharmacy|post office|bank|restaurant|museum|library|supermarket|doctor|dentist|pool)\b",
    re.IGNORECASE,
)
CONTACT_DETAILS = re.compile(
    r"\b(?:phone|telephone|tel|number (?:to|i can) call|e-?mail (?:address|you|support|someone)"
    r"|email|contact (?:details|info\w*)|call (?:you|u|the store|someone))\b",
    re.IGNORECASE,
)
"""Words of a request for the store's phone number or email address."""


def asks_store_hours(text: str) -> bool:
    """Whether a message asks when this store's team works ("are you open on Sunday?")."""
    return bool(HOURS.search(text) and ABOUT_THE_STORE.search(text) and not OTHER_PLACES.search(text))


def asks_for_contact_details(text: str) -> bool:
    """Whether a message asks for the store's phone number or email address."""
    return bool(CONTACT_DETAILS.search(text))


def _facts(session: Session) -> Tuple[StoreInfo, SupportHours]:
    return store_info(session), support_hours(session)


def working_days(days: Tuple[str, ...]) -> str:
    """Days in a row as a range, ``("mon", ..., "fri")`` -> Monday to Friday with an en dash;
    scattered days are listed."""
    numbers = sorted(weekday_numbers(days))
    names = [calendar.day_name[n] for n in numbers]
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{names[0]}\u2013{names[-1]}"
    return listing(names)


async def utter_store_hours(dispatcher: CollectingDispatcher) -> None:
    """The team's days and hours, and whether they are in now or when they are back."""
    info, hours = await query_store(_facts)
    when = {
        "days": working_days(info.business_days),
        "opens": time_of_day(parse_hhmm(info.opens)),
        "closes": time_of_day(parse_hhmm(info.closes)),
        "timezone": zone_abbreviation(info.timezone),
    }
    dispatcher.utter_message(response="utter_store_hours", **when)
    if hours.open_now:
        dispatcher.utter_message(response="utter_store_hours_open_now")
    else:
        back: datetime = hours.next_open
        dispatcher.utter_message(
            response="utter_store_hours_back", day=day(back.date()), opens=time_of_day(back.time()),
            timezone=when["timezone"],
        )  # fmt: skip
    await utter_contact_details(dispatcher, info)


async def utter_contact_details(dispatcher: CollectingDispatcher, info: StoreInfo | None = None) -> None:
    """The store's support email and phone, as ``store.yaml`` has them (nothing when it has none)."""
    info = info or await query_store_or(None, store_info)  # a handoff goes on without them
    if info is None:
        return
    email, phone = info.support_email or "", info.support_phone or ""
    if email and phone:
        dispatcher.utter_message(response="utter_store_contact", email=email, phone=phone)
    elif email or phone:
        dispatcher.utter_message(response="utter_store_contact_one", contact=email or phone)
