"""Shipping rules: which zone serves a destination, what each method costs and when it arrives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Optional

from sqlalchemy.orm import Session

from core import clock
from store.calendar import parse_hhmm
from store.info import business_calendar, setting, store_country, store_timezone
from store.models import ShippingZone, money
from store.places import country_rows, zone_rows


@dataclass(frozen=True)
class Destination:
    """A destination resolved against the store's country list."""

    country: str  # ISO code
    country_name: str
    region: Optional[str]  # region code when known
    postal_code: Optional[str]


@dataclass(frozen=True)
class DeliveryOption:
    """One way to ship to a destination, with its price and delivery window."""

    method: str
    name: str
    carrier: Optional[str]
    price: Decimal
    free_shipping_threshold: Optional[Decimal]
    earliest: date
    latest: date
    cutoff_local: time
    ships_today: bool
    ship_date: date
    zone: str


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower().removeprefix("the "))


def resolve_destination(
    session: Session, *, country: str, region: Optional[str] = None, postal_code: Optional[str] = None
) -> Optional[Destination]:
    """Match a country by code, name or alias and a region by code or name; None when unknown."""
    wanted = _norm(country or "")
    if not wanted:
        return None
    found = None
    for row in country_rows(session):
        names = [row.code, row.name, *(row.aliases or [])]
        if any(_norm(n) == wanted for n in names):
            found = row
            break
    if found is None:
        return None
    region_code = None
    if region:
        key = _norm(region)
        for code, name in (found.regions or {}).items():
            if key in (_norm(code), _norm(name)):
                region_code = code
                break
        else:
            region_code = region.strip().upper()
    postal = re.sub(r"\s+", "", postal_code).upper() if postal_code else None
    return Destination(found.code, found.name, region_code, postal)


def zone_for(session: Session, destination: Destination) -> Optional[ShippingZone]:
    """The zone serving a destination: a region or postal-prefix zone beats a whole-country zone."""
    zones = [z for z in zone_rows(session) if destination.country in (z.countries or [])]
    for zone in zones:
        if destination.region and destination.region in (zone.regions or []):
            return zone
        if destination.postal_code and any(
            destination.postal_code.startswith(p) for p in zone.postal_prefixes or []
        ):
            return zone
    return next((z for z in zones if not z.regions and not z.postal_prefixes), None)


def delivery_estimate(
    session: Session,
    *,
    country: str,
    region: Optional[str] = None,
    postal_code: Optional[str] = None,
    method: Optional[str] = None,
    subtotal: Optional[Decimal] = None,
    now: Optional[datetime] = None,
) -> list[DeliveryOption]:
    """Delivery options for a destination, cheapest first as the store lists them.

    An order placed before a method's cut-off on a business day (store time zone) ships that day,
    otherwise on the next business day; transit days skip weekends and holidays. The price is 0
    when ``subtotal`` reaches the free-shipping threshold. Unknown destination or method: [].
    """
    destination = resolve_destination(session, country=country, region=region, postal_code=postal_code)
    zone = zone_for(session, destination) if destination else None
    if zone is None:
        return []
    local_now = (now or clock.now()).astimezone(store_timezone(session))
    calendar = business_calendar(session)
    options = []
    for m in zone.methods:
        if method and _norm(method) not in (_norm(m.code), _norm(m.name)):
            continue
        cutoff = parse_hhmm(m.cutoff)
        ship_day = calendar.dispatch_day(local_now, cutoff)
        free = m.free_over is not None and subtotal is not None and money(subtotal) >= m.free_over
        options.append(
            DeliveryOption(
                method=m.code,
                name=m.name,
                carrier=m.carrier,
                price=money(0) if free else m.price,
                free_shipping_threshold=m.free_over,
                earliest=calendar.add_business_days(ship_day, m.transit_min_days),
                latest=calendar.add_business_days(ship_day, m.transit_max_days),
                cutoff_local=cutoff,
                ships_today=ship_day == local_now.date(),
                ship_date=ship_day,
                zone=zone.name,
            )
        )
    return options


def shipping_destinations(session: Session) -> list[str]:
    """Names of every country some zone ships to, alphabetically."""
    codes = {c for zone in zone_rows(session) for c in zone.countries or []}
    names = {c.code: c.name for c in country_rows(session)}
    return sorted(names.get(code, code) for code in codes)


SHIPPING_DUTIES_KEY = "shipping_duties"
SHIPPING_PICKUP_KEY = "shipping_pickup"
"""Store settings holding ``shipping.yaml``'s ``duties`` and ``pickup`` (written by the import)."""
DUTIES_PAID_BY = ("recipient", "store")


@dataclass(frozen=True)
class DeliveryTerms:
    """Who pays import duties abroad, and where orders can be collected."""

    home_country: Optional[str]
    """The store's country as shoppers read it ("United States"); None when not configured."""
    duties_paid_by: Optional[str]
    """``recipient`` or ``store``; None when the store has not said."""
    pickup: Optional[str]
    """Where and when orders can be collected; None when they cannot."""


def delivery_terms(session: Session) -> DeliveryTerms:
    """The store's duties and pickup terms (``shipping.yaml``) and its home country."""
    code = store_country(session)
    names = {c.code: c.name for c in country_rows(session)}
    duties = setting(session, SHIPPING_DUTIES_KEY)
    return DeliveryTerms(
        home_country=names.get(code, code) if code else None,
        duties_paid_by=duties if duties in DUTIES_PAID_BY else None,
        pickup=setting(session, SHIPPING_PICKUP_KEY) or None,
    )
