"""Load the store's policy YAML files (store, shipping, returns, size charts, discounts)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import yaml
from sqlalchemy.orm import Session

from store.calendar import CalendarError, check_closure_rule, check_public_holidays, weekday_numbers
from store.discounts import DISCOUNT_OFFERS_KEY
from store.gifts import gift_wrap_price
from store.importers.errors import StoreImportError
from store.messaging_config import MessagingConfigError, parse_messaging
from store.models import (
    Country,
    DiscountCode,
    Holiday,
    ReturnPolicy,
    ShippingMethod,
    ShippingZone,
    SizeChart,
    SizeChartRow,
    StoreSetting,
    money,
)
from store.shipping import DUTIES_PAID_BY, SHIPPING_DUTIES_KEY, SHIPPING_PICKUP_KEY

MEASUREMENTS = ("chest_cm", "waist_cm", "hips_cm", "height_cm", "weight_kg", "foot_length_cm")


def _read(directory: Path, name: str) -> dict:
    path = directory / name
    if not path.exists():
        raise StoreImportError(name, f"missing (looked in {directory})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise StoreImportError(name, f"not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise StoreImportError(name, "expected a mapping at the top level")
    return data


def _money(source: str, where: str, value: Any) -> Any:
    try:
        return money(value)
    except Exception:
        raise StoreImportError(source, f"{where}: {value!r} is not an amount") from None


def _time(source: str, where: str, value: Any) -> str:
    if (
        not isinstance(value, str)
        or not re.fullmatch(r"\d{2}:\d{2}", value)
        or int(value[:2]) > 23
        or int(value[3:]) > 59
    ):
        raise StoreImportError(source, f"{where}: {value!r} is not a time HH:MM")
    return value


def _load_store(session: Session, data: dict) -> None:
    src = "store.yaml"
    try:
        ZoneInfo(str(data.get("timezone", "UTC")))
    except (ZoneInfoNotFoundError, ValueError):
        raise StoreImportError(src, f"timezone {data.get('timezone')!r} is not an IANA time zone") from None
    hours = data.get("business_hours") or {}
    try:
        weekday_numbers(hours.get("days"))
    except ValueError:
        raise StoreImportError(src, f"business_hours.days {hours.get('days')!r}: use mon..sun") from None
    for key in ("opens", "closes"):
        if key in hours:
            _time(src, f"business_hours.{key}", hours[key])
    _check_place(src, data)
    try:
        parse_messaging(data.get("messaging"))
    except MessagingConfigError as exc:
        raise StoreImportError(src, str(exc)) from None
    try:
        gift_wrap_price((data.get("gifts") or {}).get("gift_wrap"))
    except Exception:
        wrap = (data.get("gifts") or {}).get("gift_wrap")
        raise StoreImportError(src, f"gifts.gift_wrap {wrap!r}: a price, true (free) or false") from None
    for i, closure in enumerate(data.get("closures") or []):
        try:
            check_closure_rule(str(closure["day"]))
        except (CalendarError, KeyError, TypeError) as exc:
            raise StoreImportError(src, f"closures[{i}]: {exc}") from None
        session.add(Holiday(name=str(closure.get("name", closure["day"])), rule=str(closure["day"])))
    for key, value in data.items():
        if key != "closures":
            session.add(StoreSetting(key=key, value=value))


def _check_place(src: str, data: dict) -> None:
    """The store's country reads phone numbers and names public holidays: both must know it."""
    if "holidays" in data:
        raise StoreImportError(
            src,
            "holidays: public holidays now come from country (and subdivision); "
            "list only the store's own closed days under closures (see data/store/README.md)",
        )
    country = data.get("country")
    if country is None:
        if data.get("public_holidays"):
            raise StoreImportError(src, "public_holidays: needs country (an ISO code such as US or GB)")
        return
    if str(country) not in phonenumbers.SUPPORTED_REGIONS:
        raise StoreImportError(
            src, f"country {country!r} is not a two-letter ISO country code such as US or GB"
        )
    if data.get("public_holidays", True):
        try:
            check_public_holidays(str(country), data.get("subdivision"))
        except CalendarError as exc:
            raise StoreImportError(src, f"country/subdivision: {exc}") from None


def _load_shipping(session: Session, data: dict) -> None:
    src = "shipping.yaml"
    duties = data.get("duties")
    if duties not in (None, *DUTIES_PAID_BY):
        raise StoreImportError(src, f"duties {duties!r}: recipient or store (leave it out if unknown)")
    pickup = data.get("pickup", False)
    if pickup is not False and not (isinstance(pickup, str) and pickup.strip()):
        raise StoreImportError(src, f"pickup {pickup!r}: false, or where and when orders can be collected")
    session.add(StoreSetting(key=SHIPPING_DUTIES_KEY, value=duties))
    session.add(StoreSetting(key=SHIPPING_PICKUP_KEY, value=pickup or None))
    for code, country in (data.get("countries") or {}).items():
        if not re.fullmatch(r"[A-Z]{2}", str(code)):
            raise StoreImportError(src, f"countries: {code!r} is not a two-letter ISO code")
        session.add(
            Country(
                code=code,
                name=country["name"],
                aliases=list(country.get("aliases") or []),
                regions=dict(country.get("regions") or {}),
            )
        )
    for z, zone in enumerate(data.get("zones") or []):
        row = ShippingZone(
            name=zone["name"],
            position=z,
            countries=list(zone.get("countries") or []),
            regions=list(zone.get("regions") or []),
            postal_prefixes=[str(p) for p in zone.get("postal_prefixes") or []],
        )
        for m, method in enumerate(zone.get("methods") or []):
            where = f"zones[{z}].methods[{m}]"
            days = method.get("transit_days")
            if not (
                isinstance(days, list)
                and len(days) == 2
                and all(isinstance(d, int) for d in days)
                and 0 <= days[0] <= days[1]
            ):
                raise StoreImportError(src, f"{where}.transit_days {days!r} must be [min, max] whole days")
            row.methods.append(
                ShippingMethod(
                    position=m,
                    code=method["code"],
                    name=method["name"],
                    carrier=method.get("carrier"),
                    price=_money(src, f"{where}.price", method["price"]),
                    free_over=_money(src, f"{where}.free_over", method["free_over"])
                    if method.get("free_over") is not None
                    else None,
                    transit_min_days=days[0],
                    transit_max_days=days[1],
                    cutoff=_time(src, f"{where}.cutoff", method.get("cutoff", "14:00")),
                )
            )
        session.add(row)


def _load_returns(session: Session, data: dict) -> None:
    final_sale = data.get("final_sale") or {}
    exchanges = dict(data.get("exchanges") or {})
    refund = data.get("refund") or {}
    if not isinstance(data.get("window_days"), int) or data["window_days"] < 0:
        raise StoreImportError(
            "returns.yaml", f"window_days {data.get('window_days')!r} must be a whole number of days"
        )
    session.add(
        ReturnPolicy(
            window_days=data["window_days"],
            final_sale_categories=list(final_sale.get("categories") or []),
            final_sale_tags=list(final_sale.get("tags") or []),
            exchanges_allowed=bool(exchanges.pop("allowed", True)),
            exchange_rules=exchanges,
            refund_method=refund.get("method", "original_payment"),
            refund_days=refund.get("processing_days"),
            refund_bank_days=refund.get("bank_days"),
            return_shipping_cost=_money(
                "returns.yaml", "return_shipping_cost", data.get("return_shipping_cost", 0)
            ),
            free_return_for_exchanges=bool(exchanges.get("free_return_shipping", True)),
            reasons=list(data.get("reasons") or []),
            url=data.get("url"),
        )
    )


def _load_size_charts(session: Session, data: dict) -> None:
    src = "size_charts.yaml"
    for c, chart in enumerate(data.get("charts") or []):
        applies = chart.get("applies_to") or {}
        if chart.get("fit", "true_to_size") not in ("runs_small", "true_to_size", "runs_large"):
            raise StoreImportError(
                src, f"charts[{c}].fit {chart.get('fit')!r}: runs_small, true_to_size or runs_large"
            )
        row = SizeChart(
            slug=chart["slug"],
            name=chart["name"],
            categories=list(applies.get("categories") or []),
            vendors=list(applies.get("vendors") or []),
            products=list(applies.get("products") or []),
            fit=chart.get("fit", "true_to_size"),
            fit_note=chart.get("fit_note"),
            url=chart.get("url"),
        )
        for s, size in enumerate(chart.get("sizes") or []):
            measurements = {}
            for key in MEASUREMENTS:
                if key in size:
                    low, high = size[key]
                    if not float(low) <= float(high):
                        raise StoreImportError(src, f"charts[{c}].sizes[{s}].{key}: min above max")
                    measurements[key] = [float(low), float(high)]
            row.rows.append(
                SizeChartRow(
                    position=s,
                    size=str(size["size"]),
                    aliases=[str(a) for a in size.get("aliases") or []],
                    measurements=measurements,
                )
            )
        session.add(row)


def _when(value: Any, today: date, tz: ZoneInfo, src: str, where: str) -> Optional[datetime]:
    """``"-30d"``/``"+7d"`` relative to ``today``, or an ISO date, as midnight in the store zone."""
    if value is None:
        return None
    text = str(value).strip()
    match = re.fullmatch(r"([+-])(\d+)d", text)
    try:
        day = (
            today + timedelta(days=int(match.group(2)) * (1 if match.group(1) == "+" else -1))
            if match
            else date.fromisoformat(text)
        )
    except ValueError:
        raise StoreImportError(src, f"{where}: {value!r} is not a date or +Nd/-Nd") from None
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def _load_discounts(session: Session, data: dict, today: date, tz: ZoneInfo) -> None:
    src = "discounts.yaml"
    for i, code in enumerate(data.get("codes") or []):
        where = f"codes[{i}]"
        if code.get("kind") not in ("percentage", "fixed_amount", "free_shipping"):
            raise StoreImportError(
                src, f"{where}.kind {code.get('kind')!r}: percentage, fixed_amount or free_shipping"
            )
        session.add(
            DiscountCode(
                code=str(code["code"]).upper(),
                kind=code["kind"],
                value=_money(src, f"{where}.value", code.get("value", 0)),
                min_spend=_money(src, f"{where}.min_spend", code["min_spend"])
                if code.get("min_spend") is not None
                else None,
                starts_at=_when(code.get("starts"), today, tz, src, f"{where}.starts"),
                ends_at=_when(code.get("ends"), today, tz, src, f"{where}.ends"),
                usage_limit=code.get("usage_limit"),
                times_used=int(code.get("times_used", 0)),
                categories=list(code.get("categories") or []),
                excluded_categories=list(code.get("excluded_categories") or []),
                excludes_final_sale=bool(code.get("excludes_final_sale", True)),
            )
        )
    session.add(StoreSetting(key=DISCOUNT_OFFERS_KEY, value=_offers(src, data)))


def _offers(src: str, data: dict) -> dict:
    """``offers``: public codes among ``codes``, days of price adjustment, price matching."""
    offers = data.get("offers") or {}
    if not isinstance(offers, dict):
        raise StoreImportError(src, "offers: expected a mapping (public, price_adjustment_days, price_match)")
    known = {str(code.get("code", "")).upper() for code in data.get("codes") or []}
    public = offers.get("public") or []
    if not isinstance(public, list):
        raise StoreImportError(src, f"offers.public {public!r}: a list of codes")
    unknown = sorted({str(code).upper() for code in public} - known)
    if unknown:
        raise StoreImportError(src, f"offers.public: {', '.join(unknown)} not among codes")
    days = offers.get("price_adjustment_days", 0)
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise StoreImportError(src, f"offers.price_adjustment_days {days!r}: a number of days, 0 for never")
    match = offers.get("price_match")
    if match is not None and not isinstance(match, bool):
        raise StoreImportError(src, f"offers.price_match {match!r}: true or false")
    return {
        "public": [str(code).upper() for code in public],
        "price_adjustment_days": days,
        "price_match": match,
    }


def load_policies(session: Session, directory: Path, *, today: date) -> None:
    """Add every policy from ``directory`` to ``session`` (the caller cleared the old ones).

    Raises:
        StoreImportError: a file is missing or a value is malformed.
    """
    store = _read(directory, "store.yaml")
    _load_store(session, store)
    tz = ZoneInfo(str(store.get("timezone", "UTC")))
    _load_shipping(session, _read(directory, "shipping.yaml"))
    _load_returns(session, _read(directory, "returns.yaml"))
    _load_size_charts(session, _read(directory, "size_charts.yaml"))
    _load_discounts(session, _read(directory, "discounts.yaml"), today, tz)
    try:
        session.flush()
    except Exception as exc:  # duplicate names and the like
        raise StoreImportError("policies", f"{type(exc).__name__}: {str(exc).splitlines()[0]}") from None
