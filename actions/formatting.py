"""Facts formatted for a reply: money, dates, lists. Numbers and names only; wording is in domain.yml."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Iterable, Optional
from zoneinfo import ZoneInfo

from core import clock
from store.money import format_money, format_price_range


def money(amount: Decimal, currency: str = "USD") -> str:
    """``Decimal("5.9")`` -> ``"$5.90"`` (:func:`store.money.format_money`, as the storefront page)."""
    return format_money(amount, currency)


def price_range(low: Decimal, high: Decimal, currency: str = "USD") -> str:
    """``(59, 79)`` -> ``"$59.00 - $79.00"``; one price when every variant costs the same."""
    return format_price_range(low, high, currency)


def day(value: date) -> str:
    """``date(2026, 5, 12)`` -> ``"Tue 12 May"`` (unambiguous for shoppers in any country)."""
    return f"{value:%a} {value.day} {value:%b}"


def time_of_day(value: time) -> str:
    """``time(14, 0)`` -> ``"2:00 PM"``."""
    return f"{(value.hour - 1) % 12 + 1}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def zone_abbreviation(tz_name: str, when: Optional[datetime] = None) -> str:
    """The store time zone as shoppers see it on a clock (``EST``/``EDT``)."""
    tz = ZoneInfo(tz_name)
    return (when or clock.now()).astimezone(tz).strftime("%Z")


def listing(items: Iterable[str]) -> str:
    """``["S", "M", "L"]`` -> ``"S, M, L"``."""
    return ", ".join(item for item in items if item)


def number(value: float) -> str:
    """``177.0`` -> ``"177"``, ``26.55`` -> ``"26.6"``."""
    return f"{value:.1f}".rstrip("0").rstrip(".")
