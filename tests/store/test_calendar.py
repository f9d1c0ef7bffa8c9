"""Business days: public holidays from the ``holidays`` package, the store's closures on top."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session

from store.calendar import BusinessCalendar, CalendarError, closure_dates, public_holidays
from store.db import session_scope
from store.importers.errors import StoreImportError
from store.importers.load import StoreFiles, import_store
from store.info import business_calendar
from store.sample.catalog import build_catalog
from store.sample.writer import write_products

ENGLAND = BusinessCalendar(country="GB", subdivision="ENG")
USA = BusinessCalendar(country="US")


@pytest.mark.parametrize(
    "calendar,day,open_",
    [
        (ENGLAND, date(2026, 4, 6), False),  # Easter Monday
        (ENGLAND, date(2026, 4, 3), False),  # Good Friday
        (ENGLAND, date(2026, 12, 28), False),  # Boxing Day (observed): the 26th is a Saturday
        (ENGLAND, date(2026, 4, 7), True),
        (USA, date(2026, 7, 3), False),  # Independence Day (observed): the 4th is a Saturday
        (USA, date(2026, 11, 26), False),  # Thanksgiving
        (USA, date(2026, 4, 6), True),  # Easter Monday is no US public holiday
        (USA, date(2026, 7, 6), True),
        (USA, date(2026, 7, 5), False),  # a Sunday
        (BusinessCalendar(), date(2026, 7, 3), True),  # no country, no public holidays
    ],
)
def test_public_holidays_and_observed_days_close_the_store(calendar, day, open_) -> None:
    assert calendar.is_business_day(day) is open_


def test_the_stores_own_closures_come_on_top_of_public_holidays() -> None:
    calendar = BusinessCalendar(country="US", closure_rules=["last fri of jan", "12-24", "2026-08-14"])
    assert not calendar.is_business_day(date(2026, 1, 30))  # stock-taking, the last Friday of January
    assert not calendar.is_business_day(date(2026, 12, 24))
    assert not calendar.is_business_day(date(2026, 8, 14))
    assert calendar.is_business_day(date(2027, 8, 13))  # a one-off closure does not repeat
    assert not calendar.is_business_day(date(2026, 12, 25))  # the public holiday still counts
    # Friday 3 July (observed) and the weekend: an order on Thursday after the cut-off ships Monday
    assert calendar.next_business_day(date(2026, 7, 2)) == date(2026, 7, 6)


@pytest.mark.parametrize(
    "rule,year,days",
    [
        ("12-24", 2026, [date(2026, 12, 24)]),
        ("2026-08-14", 2026, [date(2026, 8, 14)]),
        ("2026-08-14", 2027, []),
        ("4th thu of nov", 2026, [date(2026, 11, 26)]),
        ("last mon of may", 2026, [date(2026, 5, 25)]),
        ("5th fri of feb", 2026, []),
    ],
)
def test_closure_rules(rule: str, year: int, days: list) -> None:
    assert closure_dates(rule, year) == days


@pytest.mark.parametrize("rule", ["13-01", "easter", "2nd xyz of jan", "02-30"])
def test_a_bad_closure_rule_is_refused(rule: str) -> None:
    with pytest.raises(CalendarError):
        closure_dates(rule, 2026)


def _policies(data_dir: Path, tmp_path: Path, **changes: Any) -> Path:
    """A copy of the sample store's policy files with ``store.yaml`` keys replaced (None removes)."""
    policies = tmp_path / "policies"
    policies.mkdir()
    for path in data_dir.glob("*.yaml"):
        (policies / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    store = yaml.safe_load((policies / "store.yaml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            store.pop(key, None)
        else:
            store[key] = value
    (policies / "store.yaml").write_text(yaml.safe_dump(store), encoding="utf-8")
    return policies


def _import(engine, policies: Path, tmp_path: Path) -> None:
    products = tmp_path / "products.csv"
    write_products(build_catalog(42)[:3], products)
    import_store(engine, StoreFiles(products=products, policies=policies), today=date(2026, 1, 5))


def test_an_english_store_imported_from_yaml_closes_on_easter_monday_and_its_stock_taking_day(
    empty_engine, data_dir, tmp_path
) -> None:
    policies = _policies(
        data_dir,
        tmp_path,
        country="GB",
        subdivision="ENG",
        timezone="Europe/London",
        closures=[{"name": "Stock-taking", "day": "last fri of jan"}],
    )
    _import(empty_engine, policies, tmp_path)
    with session_scope(empty_engine) as session:
        calendar = business_calendar(session)
    assert [
        calendar.is_business_day(d) for d in (date(2026, 4, 6), date(2026, 1, 30), date(2026, 1, 29))
    ] == [
        False,
        False,
        True,
    ]


def test_a_store_may_opt_out_of_public_holidays(empty_engine, data_dir, tmp_path) -> None:
    _import(empty_engine, _policies(data_dir, tmp_path, public_holidays=False, closures=[]), tmp_path)
    with Session(empty_engine) as session:
        assert business_calendar(session).is_business_day(date(2026, 7, 3))


@pytest.mark.parametrize(
    "changes,message",
    [
        (
            {"holidays": [{"name": "Christmas Day", "rule": "12-25"}]},
            "store.yaml: holidays: public holidays now come from country (and subdivision); "
            "list only the store's own closed days under closures (see data/store/README.md)",
        ),
        ({"country": "XX"}, "store.yaml: country 'XX' is not a two-letter ISO country code such as US or GB"),
        (
            {"country": "GB", "subdivision": "NY"},
            "store.yaml: country/subdivision: no public holidays for 'GB'/'NY'",
        ),
        ({"country": None}, "store.yaml: public_holidays: needs country (an ISO code such as US or GB)"),
        (
            {"closures": [{"name": "Easter", "day": "easter"}]},
            "store.yaml: closures[0]: closure rule 'easter'",
        ),
    ],
)
def test_bad_store_calendars_are_refused(empty_engine, data_dir, tmp_path, changes, message) -> None:
    with pytest.raises(StoreImportError) as error:
        _import(empty_engine, _policies(data_dir, tmp_path, **changes), tmp_path)
    assert str(error.value).startswith(message)


def test_public_holidays_are_computed_once_and_each_caller_gets_its_own_copy():
    first = public_holidays("US", None, 2026)
    first.clear()  # a caller changing its dict changes no one else's
    again = public_holidays("US", None, 2026)
    assert again[date(2026, 7, 3)] and len(again) >= 10
    assert again is not public_holidays("US", None, 2026)
