"""Order facts as reply values: item lines, tracking, dates and addresses (data only, no wording)."""

from __future__ import annotations

from datetime import date
from typing import Dict, Iterable, List, Optional

from actions.formatting import day, money
from store.order_views import Address, FulfillmentView, LineItemView, OrderView

RECENT_ORDER_BUTTONS = 5


def item_line(item: LineItemView) -> str:
    """``"2 x Essential Crew Tee - M / Heather Grey"``."""
    return f"{item.quantity} x {item.title}"


def item_lines(items: Iterable[LineItemView]) -> str:
    """One item per line."""
    return "\n".join(item_line(item) for item in items)


def latest_estimate(order: OrderView) -> Optional[date]:
    """The latest estimated delivery date of the parcels still on their way."""
    dates = [
        f.estimated_delivery for f in order.fulfillments if f.delivered_at is None and f.estimated_delivery
    ]
    return max(dates) if dates else None


def tracking_lines(fulfillments: Iterable[FulfillmentView]) -> str:
    """``"USPS 9400…: https://…"`` per parcel (carrier and link come from the store)."""
    lines = []
    for parcel in fulfillments:
        label = " ".join(part for part in (parcel.carrier, parcel.tracking_number) if part)
        lines.append(f"{label}: {parcel.tracking_url}" if parcel.tracking_url else label)
    return "\n".join(line for line in lines if line)


def delivered_on(order: OrderView) -> Optional[date]:
    """The day the last parcel arrived."""
    days = [f.delivered_at.date() for f in order.fulfillments if f.delivered_at is not None]
    return max(days) if days else None


def address_line(address: Address) -> str:
    """``"22 Park Ave, New York, NY 10001, US"``."""
    city = " ".join(part for part in (address.city, address.region) if part)
    parts = (address.address1, address.address2, city, address.postal_code, address.country)
    return ", ".join(part for part in parts if part)


def order_values(order: OrderView) -> Dict[str, str]:
    """The values every order reply may use: ``order``, ``items``, ``total``, ``tracking``, dates."""
    estimate = latest_estimate(order)
    arrived = delivered_on(order)
    unshipped = [item for item in order.items if item.fulfilled < item.quantity]
    return {
        "order": order.name,
        "placed": day(order.placed_at.date()),
        "items": item_lines(order.items),
        "unshipped_items": item_lines(unshipped),
        "total": money(order.total, order.currency),
        "tracking": tracking_lines(order.fulfillments),
        "carrier": ", ".join(sorted({f.carrier for f in order.fulfillments if f.carrier})),
        "eta": day(estimate) if estimate else "",
        "delivered": day(arrived) if arrived else "",
        "address": address_line(order.shipping_address),
    }


def order_button(number: int, name: str, placed: date, total: str) -> Dict[str, str]:
    """A "pick this order" button: the payload fills ``order_number`` without NLU guesswork."""
    return {"title": f"{name} · {day(placed)} · {total}", "payload": f'/inform{{"order_number":"{number}"}}'}


def text_buttons(labels: List[str]) -> List[Dict[str, str]]:
    """Buttons whose payload is the label itself (read back by a form's ``from_text`` slot)."""
    return [{"title": label, "payload": label} for label in labels]
