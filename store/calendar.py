"""Business days: weekends, public holidays, the store's own closures and cut-off times.

Public holidays come from the ``holidays`` package (Easter and observed days included), for the
store's country and optional subdivision; the store's own closed days (a stock-taking day,
Christmas Eve) are short rules in ``store.yaml`` on top.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time, timedelta
from typing import Iterable, Optional, Tuple

import holidays

_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_NTH = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "last": -1}
_NTH_RULE = re.compile(r"^(1st|2nd|3rd|4th|5th|last)\s+([a-z]{3})\w*\s+of\s+([a-z]{3})\w*$")


class CalendarError(ValueError):
    """A closure rule cannot be evaluated, or a country or subdivision has no public holidays."""


def check_closure_rule(rule: str) -> None:
    """Raise :class:`CalendarError` unless ``rule`` can be evaluated."""
    closure_dates(rule, 2024)


def check_public_holidays(country: str, subdivision: Optional[str] = None) -> None:
    """Raise :class:`CalendarError` unless the ``holidays`` package knows ``country``/``subdivision``."""
    public_holidays(country, subdivision, 2024)


def public_holidays(country: str, subdivision: Optional[str], year: int) -> dict[date, str]:
    """The public holidays of ``country`` (ISO code) and ``subdivision`` in ``year``, by date.

    Observed days are included: Independence Day 2026 is a Saturday, so Friday 3 July is closed.
    The caller gets its own dict; the ``holidays`` package computes each year once per process
    (its rules and translations are the library's, not the store's).
    """
    return dict(_public_holidays(country, subdivision, year))


@functools.lru_cache(maxsize=64)
def _public_holidays(country: str, subdivision: Optional[str], year: int) -> Tuple[Tuple[date, str], ...]:
    try:
        found = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError as exc:
        raise CalendarError(f"no public holidays for {country!r}/{subdivision!r}: {exc}") from None
    return tuple(found.items())


def closure_dates(rule: str, year: int) -> list[date]:
    """The dates a store closure rule falls on in ``year``.

    Rules: ``12-25`` (every year), ``2025-11-28`` (once), ``4th thu of nov``, ``last mon of may``.
    """
    text = rule.strip().lower()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            return [day] if day.year == year else []
        if re.fullmatch(r"\d{2}-\d{2}", text):
            month, dom = (int(p) for p in text.split("-"))
            return [date(year, month, dom)]
    except ValueError as exc:
        raise CalendarError(f"closure rule {rule!r}: {exc}") from None
    match = _NTH_RULE.match(text)
    if not match or match.group(2) not in _WEEKDAYS or match.group(3) not in _MONTHS:
        raise CalendarError(f"closure rule {rule!r} is not MM-DD, YYYY-MM-DD or '<nth> <weekday> of <month>'")
    nth, weekday, month = (
        _NTH[match.group(1)],
        _WEEKDAYS.index(match.group(2)),
        _MONTHS.index(match.group(3)) + 1,
    )
    days = [date(year, month, 1) + timedelta(days=i) for i in range(31)]
    days = [d for d in days if d.month == month and d.weekday() == weekday]
    if nth == -1:
        return [days[-1]]
    return [days[nth - 1]] if nth <= len(days) else []


class BusinessCalendar:
    """Which days the store works: working weekdays, minus public holidays and its own closures.

    Args:
        workdays: weekday numbers the store works (0 is Monday).
        closure_rules: the store's own closed days (see :func:`closure_dates`).
        country: ISO country whose public holidays close the store; None for no public holidays.
        subdivision: state, province or nation (``NY``, ``ENG``) for regional public holidays.
    """

    def __init__(
        self,
        *,
        workdays: Iterable[int] = range(5),
        closure_rules: Iterable[str] = (),
        country: Optional[str] = None,
        subdivision: Optional[str] = None,
    ) -> None:
        self.workdays = frozenset(workdays)
        self.rules = tuple(closure_rules)
        self.country = country
        self.subdivision = subdivision
        self._years: dict[int, frozenset[date]] = {}

    def closed_days(self, year: int) -> frozenset[date]:
        """Every public holiday and store closure in ``year``, whatever the weekday."""
        if year not in self._years:
            days = {d for r in self.rules for d in closure_dates(r, year)}
            if self.country:
                days.update(public_holidays(self.country, self.subdivision, year))
            self._years[year] = frozenset(days)
        return self._years[year]

    def is_business_day(self, day: date) -> bool:
        """A working weekday that is neither a public holiday nor a closure."""
        return day.weekday() in self.workdays and day not in self.closed_days(day.year)

    def next_business_day(self, day: date, *, include_today: bool = False) -> date:
        """The first business day after ``day`` (or ``day`` itself when allowed and open)."""
        current = day if include_today else day + timedelta(days=1)
        for _ in range(366):
            if self.is_business_day(current):
                return current
            current += timedelta(days=1)
        raise ValueError("no business day within a year: check workdays and closures")

    def add_business_days(self, day: date, count: int) -> date:
        """``day`` moved forward by ``count`` business days (0 returns ``day``)."""
        current = day
        for _ in range(count):
            current = self.next_business_day(current)
        return current

    def dispatch_day(self, local_now: datetime, cutoff: time) -> date:
        """The day an order placed at ``local_now`` leaves the warehouse.

        Today if it is a business day and the local time is before the cut-off, else the next
        business day.
        """
        today = local_now.date()
        if self.is_business_day(today) and local_now.time() < cutoff:
            return today
        return self.next_business_day(today)


def parse_hhmm(text: str) -> time:
    """``"14:00"`` -> ``time(14, 0)``."""
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def weekday_numbers(names: Optional[Iterable[str]]) -> list[int]:
    """``["mon", "tue"]`` -> ``[0, 1]`` (default Monday to Friday)."""
    if not names:
        return list(range(5))
    return [_WEEKDAYS.index(n.strip().lower()[:3]) for n in names]
