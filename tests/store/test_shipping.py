"""Delivery estimates: cut-off minutes before and after, weekends, holidays, time zone, zones."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal

import pytest

from store.shipping import delivery_estimate, shipping_destinations

# 2025-11-25 is a Tuesday; Thanksgiving (27th) and the day after (28th) are holidays in store.yaml.
# New York is UTC-5 in November, so 18:59Z is 13:59 local, a minute before the 14:00 cut-off.
BEFORE_CUTOFF = datetime(2025, 11, 25, 18, 59, tzinfo=timezone.utc)
AFTER_CUTOFF = datetime(2025, 11, 25, 19, 1, tzinfo=timezone.utc)


def _standard(session, now, **kwargs):
    (option,) = delivery_estimate(session, country="US", region="NY", method="standard", now=now, **kwargs)
    return option


def test_a_minute_before_cutoff_ships_today(session):
    option = _standard(session, BEFORE_CUTOFF)
    assert option.ships_today and option.ship_date == date(2025, 11, 25)
    assert option.cutoff_local == time(14, 0)
    # 3-5 business days: Wed 26, (Thu 27 and Fri 28 holidays, weekend) Mon 1, Tue 2 | Wed 3, Thu 4
    assert (option.earliest, option.latest) == (date(2025, 12, 2), date(2025, 12, 4))


def test_a_minute_after_cutoff_ships_next_business_day_and_skips_holidays(session):
    option = _standard(session, AFTER_CUTOFF)
    assert not option.ships_today and option.ship_date == date(2025, 11, 26)
    # Mon 1, Tue 2, Wed 3 | Thu 4, Fri 5
    assert (option.earliest, option.latest) == (date(2025, 12, 3), date(2025, 12, 5))


def test_order_on_the_eve_of_a_holiday_after_cutoff_ships_after_the_long_weekend(session):
    now = datetime(2025, 11, 26, 20, 0, tzinfo=timezone.utc)  # Wed 15:00 local
    assert _standard(session, now).ship_date == date(2025, 12, 1)


def test_weekend_orders_ship_monday(session):
    saturday = datetime(2025, 6, 14, 14, 0, tzinfo=timezone.utc)
    option = _standard(session, saturday)
    assert option.ship_date == date(2025, 6, 16) and not option.ships_today
    # Tue 17, Wed 18, (Thu 19 Juneteenth) Fri 20 | Mon 23, Tue 24
    assert (option.earliest, option.latest) == (date(2025, 6, 20), date(2025, 6, 24))


def test_cutoff_is_read_in_the_store_time_zone_not_utc(session):
    # 17:30 UTC is 13:30 in New York in June (UTC-4): still before the cut-off
    assert _standard(session, datetime(2025, 6, 11, 17, 30, tzinfo=timezone.utc)).ships_today
    assert not _standard(session, datetime(2025, 6, 11, 18, 30, tzinfo=timezone.utc)).ships_today


def test_each_method_has_its_own_cutoff(session):
    now = datetime(2025, 6, 11, 15, 30, tzinfo=timezone.utc)  # 11:30 local
    options = {o.method: o for o in delivery_estimate(session, country="United States", now=now)}
    assert options["express"].ships_today and not options["overnight"].ships_today
    assert options["overnight"].earliest == options["overnight"].latest == date(2025, 6, 13)


@pytest.mark.parametrize(
    "subtotal,price",
    [(Decimal("74.99"), Decimal("5.95")), (Decimal("75.00"), Decimal("0.00")), (None, Decimal("5.95"))],
)
def test_free_shipping_threshold(session, subtotal, price):
    option = _standard(session, BEFORE_CUTOFF, subtotal=subtotal)
    assert option.price == price and option.free_shipping_threshold == Decimal("75.00")


@pytest.mark.parametrize(
    "kwargs,zone",
    [
        ({"country": "US", "region": "HI"}, "Alaska, Hawaii & Puerto Rico"),
        ({"country": "usa", "region": "Alaska"}, "Alaska, Hawaii & Puerto Rico"),
        ({"country": "US", "postal_code": "96813"}, "Alaska, Hawaii & Puerto Rico"),
        ({"country": "US", "postal_code": "10001"}, "US Mainland"),
        ({"country": "the States", "region": "California"}, "US Mainland"),
        ({"country": "UK"}, "UK & Europe"),
        ({"country": "de"}, "UK & Europe"),
        ({"country": "Canada", "region": "Ontario"}, "Canada"),
    ],
)
def test_destination_picks_the_zone(session, kwargs, zone):
    options = delivery_estimate(session, now=BEFORE_CUTOFF, **kwargs)
    assert options and {o.zone for o in options} == {zone}


def test_unknown_destination_or_method_gives_nothing(session):
    assert delivery_estimate(session, country="Atlantis", now=BEFORE_CUTOFF) == []
    assert delivery_estimate(session, country="US", method="teleport", now=BEFORE_CUTOFF) == []


def test_shipping_destinations_lists_country_names(session):
    names = shipping_destinations(session)
    assert "United States" in names and "United Kingdom" in names and "Atlantis" not in names
    assert names == sorted(names) and len(names) == 14
