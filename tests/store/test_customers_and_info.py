"""Customer summaries, store information and support hours (holidays, time zone)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from store.customers import customer_summary
from store.info import store_info, support_hours
from store.models import Order


def test_customer_summary_by_email_phone_and_id(session):
    ava = customer_summary(session, email=" Ava.Shopper@example.com")
    assert (ava.name, ava.orders_count, ava.last_order_number) == ("Ava Shopper", 3, 1001)
    expected = session.execute(
        select(func.sum(Order.total)).where(
            Order.email == "ava.shopper@example.com", Order.cancelled_at.is_(None)
        )
    ).scalar_one()
    assert ava.lifetime_value == expected and isinstance(ava.lifetime_value, Decimal)
    assert (ava.marketing_consent.email, ava.marketing_consent.sms, ava.marketing_consent.whatsapp) == (
        True,
        True,
        True,
    )
    assert customer_summary(session, phone="415.555.0101").id == ava.id
    assert customer_summary(session, customer_id=ava.id).email == "ava.shopper@example.com"
    finn = customer_summary(session, email="finn.cancel@example.com")
    assert (finn.orders_count, finn.lifetime_value) == (0, Decimal("0.00"))
    assert customer_summary(session, email="nobody@example.com") is None
    assert customer_summary(session) is None


def test_store_info_comes_from_store_yaml(session):
    info = store_info(session)
    assert (info.name, info.timezone, info.opens, info.closes) == (
        "Northwind Outfitters",
        "America/New_York",
        "09:00",
        "18:00",
    )
    assert "PayPal" in info.payment_methods and info.payment_help["three_d_secure"] is True


@pytest.mark.parametrize(
    "now,open_now,next_open",
    [
        # Wednesday 12:00 in New York: open
        (datetime(2025, 6, 11, 16, 0, tzinfo=timezone.utc), True, "2025-06-11T12:00"),
        # Wednesday 18:00 local: closed until Thursday 09:00
        (datetime(2025, 6, 11, 22, 0, tzinfo=timezone.utc), False, "2025-06-12T09:00"),
        # Thursday 07:00 local, before opening: the same morning
        (datetime(2025, 6, 12, 11, 0, tzinfo=timezone.utc), False, "2025-06-12T09:00"),
        # Wednesday night before Thanksgiving: the Monday after the long weekend
        (datetime(2025, 11, 27, 2, 0, tzinfo=timezone.utc), False, "2025-12-01T09:00"),
    ],
)
def test_support_hours(session, now, open_now, next_open):
    hours = support_hours(session, now=now)
    assert hours.open_now is open_now
    assert hours.next_open.strftime("%Y-%m-%dT%H:%M") == next_open
    assert hours.next_open.utcoffset() is not None


def test_a_unit_of_work_reads_the_store_settings_in_one_query(session):
    from sqlalchemy import event

    from store.info import setting
    from store.models import StoreSetting

    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        store_info(session)
        assert setting(session, "currency") and setting(session, "timezone")
        assert setting(session, "no_such_setting", "fallback") == "fallback"
        row = session.get(StoreSetting, "currency")
        row.value = "EUR"  # a change made in the same unit of work is what it reads next
        assert setting(session, "currency") == "EUR"
    finally:
        event.remove(engine, "before_cursor_execute", record)
    settings_reads = [s for s in seen if "store_settings" in s]
    # every setting at once, then only the absent key (looked up by its primary key)
    assert len(settings_reads) == 2 and "WHERE" not in settings_reads[0]
