"""Store-wide settings from ``store.yaml``: name, time zone, business hours, contacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Optional
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from store.calendar import BusinessCalendar, parse_hhmm, weekday_numbers
from store.models import Holiday, StoreSetting, money


def setting(session: Session, key: str, default: Any = None) -> Any:
    """The value of one ``store.yaml`` key (``default`` when absent).

    The session's first call reads every setting in one query (:func:`load_settings_once`); later
    calls find their row in the session's identity map instead of a query each (a shipping answer
    reads a dozen settings).
    """
    load_settings_once(session)
    row = session.get(StoreSetting, key)
    return default if row is None or row.value is None else row.value


SETTINGS_LOADED = "storefront_settings_rows"
"""``session.info`` key holding the rows :func:`load_settings_once` read (the session's own)."""


def load_settings_once(session: Session) -> None:
    """Read all settings rows (a few dozen, a few KB) into the session, once per session.

    The rows stay in the session's identity map, held by ``session.info`` for the session's life
    (the map's references are weak), so :func:`setting` finds them by key with no query, including
    what the same unit of work changed on them since. One unit of work, nothing outlives the
    session: another process's change is seen by the next call's session. A key absent here is
    still looked up by :func:`setting` (``session.get`` queries for it).
    """
    if SETTINGS_LOADED not in session.info:
        session.info[SETTINGS_LOADED] = session.execute(select(StoreSetting)).scalars().all()


DEMO_MODE_KEY = "demo_mode"
"""Store setting written by every import: true only for the generated sample store."""


def demo_mode(session: Session) -> bool:
    """Whether the store is the sample store (``load-sample``), not a real store's import."""
    return setting(session, DEMO_MODE_KEY, False) is True


def store_timezone(session: Session) -> ZoneInfo:
    """The store's time zone (UTC when not configured)."""
    return ZoneInfo(setting(session, "timezone", "UTC"))


def store_country(session: Session) -> Optional[str]:
    """The store's ISO 3166 country (``US``): the home of phone numbers written without a country
    code and of the public holidays; None when ``store.yaml`` names none."""
    country = setting(session, "country")
    return str(country).strip().upper() if country else None


def business_calendar(session: Session) -> BusinessCalendar:
    """Dispatch and support calendar: working weekdays, public holidays and the store's closures."""
    hours = setting(session, "business_hours", {}) or {}
    rules = session.execute(select(Holiday.rule)).scalars().all()
    public = setting(session, "public_holidays", True)
    return BusinessCalendar(
        workdays=weekday_numbers(hours.get("days")),
        closure_rules=rules,
        country=store_country(session) if public else None,
        subdivision=setting(session, "subdivision"),
    )


def high_value_threshold(session: Session) -> Optional[Decimal]:
    """Order total from which an order problem goes straight to a person."""
    value = setting(session, "high_value_order_threshold")
    return None if value is None else money(value)


@dataclass(frozen=True)
class StoreInfo:
    """Who and where the store is, for replies and for the handoff's off-hours message."""

    name: str
    url: str
    currency: str
    timezone: str
    support_email: Optional[str]
    support_phone: Optional[str]
    business_days: tuple[str, ...]
    opens: str
    closes: str
    payment_methods: tuple[str, ...]
    payment_help: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SupportHours:
    """Whether people are at work now, and when they next are."""

    open_now: bool
    next_open: datetime  # aware, store time zone; equals ``now`` when open


def store_info(session: Session) -> StoreInfo:
    """The store's identity, contacts, hours and payment help from ``store.yaml``."""
    hours = setting(session, "business_hours", {}) or {}
    support = setting(session, "support", {}) or {}
    payments = setting(session, "payments", {}) or {}
    return StoreInfo(
        name=setting(session, "name", ""),
        url=setting(session, "url", ""),
        currency=setting(session, "currency", "USD"),
        timezone=setting(session, "timezone", "UTC"),
        support_email=support.get("email"),
        support_phone=support.get("phone"),
        business_days=tuple(hours.get("days") or ("mon", "tue", "wed", "thu", "fri")),
        opens=hours.get("opens", "09:00"),
        closes=hours.get("closes", "17:00"),
        payment_methods=tuple(payments.get("methods") or ()),
        payment_help=dict(payments.get("help") or {}),
    )


def support_hours(session: Session, *, now: Optional[datetime] = None) -> SupportHours:
    """Whether agents are working at ``now`` and, if not, when they start again."""
    tz = store_timezone(session)
    local = (now or clock.now()).astimezone(tz)
    info = store_info(session)
    calendar = business_calendar(session)
    opens, closes = parse_hhmm(info.opens), parse_hhmm(info.closes)
    if calendar.is_business_day(local.date()) and opens <= local.time() < closes:
        return SupportHours(open_now=True, next_open=local)
    day = local.date()
    if not (calendar.is_business_day(day) and local.time() < opens):
        day = calendar.next_business_day(day)
    next_open = datetime.combine(day, opens, tzinfo=tz)
    # a DST gap would make a non-existent wall time; normalise through UTC
    next_open = (next_open.astimezone(timezone.utc) + timedelta(0)).astimezone(tz)
    return SupportHours(open_now=False, next_open=next_open)
