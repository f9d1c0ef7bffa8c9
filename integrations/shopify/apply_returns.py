"""Shopify's returns webhooks applied to the store's returns: where each return stands.

Shopify sends a topic for each step of a return's life (``returns/request``, ``returns/approve``,
``returns/decline``, ``returns/cancel``, ``returns/close``, ``returns/reopen``), each with the
return as its REST resource: ``id``, ``admin_graphql_api_id`` (``gid://shopify/Return/<id>``),
``name`` (``#1001-R1``), ``status``, ``order`` (``id``, ``admin_graphql_api_id``),
``return_line_items`` (each with ``fulfillment_line_item.line_item.id``, ``quantity`` and
``return_reason``), ``exchange_line_items``; ``returns/decline`` adds ``decline`` (``reason``,
``note``). The store's row is found by the return's global id (kept when the assistant requested
the return, :func:`store.shop_changes.record_shop_return`).

Shopify's step, as the store's status:

=====================  ==================  =================================================
topic                  store status        applied when the return is
=====================  ==================  =================================================
``returns/request``    requested           not in the store yet (a return asked in Shopify)
``returns/approve``    approved            requested
``returns/decline``    rejected            requested (only a request can be declined)
``returns/cancel``     cancelled           requested or approved (nothing came back yet)
``returns/close``      received            approved or on its way (its items were processed)
``returns/reopen``     approved            received (a closed return opened again)
=====================  ==================  =================================================

A return payload has no ``updated_at`` to compare, so a late delivery is recognised by the step it
would undo: an approval arriving after the close, or a request after the approval, finds the
return past the states it applies to and changes nothing (``stale``). Closing records the parcel
as received, never a refund: what money went back arrives with the order (``orders/updated``).
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from integrations.shopify.apply import Outcome
from store.models import Order, Return, ReturnItem

Payload = Mapping[str, Any]

MOVES: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "returns/approve": ("approved", ("requested",)),
    "returns/decline": ("rejected", ("requested",)),
    "returns/cancel": ("cancelled", ("requested", "approved")),
    "returns/close": ("received", ("approved", "in_transit")),
    "returns/reopen": ("approved", ("received",)),
}
"""Per topic: the store status it sets and the statuses it applies to (see the module docstring)."""

REQUEST_TOPIC = "returns/request"

REASONS = {
    "size_too_small": "too_small",
    "size_too_large": "too_big",
    "not_as_described": "not_as_pictured",
    "defective": "damaged",
    "wrong_item": "wrong_item",
    "unwanted": "changed_mind",
}
"""Shopify's ``return_reason`` (REST spelling) as the store's reasons; anything else is ``other``."""


def return_gid(payload: Payload) -> str:
    """The return's global id, as the store keeps it."""
    return str(payload.get("admin_graphql_api_id") or f"gid://shopify/Return/{int(payload['id'])}")


def _order(session: Session, payload: Payload) -> Optional[Order]:
    shopify_id = int((payload.get("order") or {})["id"])
    return session.execute(select(Order).where(Order.shopify_id == shopify_id)).scalars().first()


def _return_items(session: Session, order: Order, payload: Payload) -> Optional[Dict[int, int]]:
    """Units per store line item, or None when a line is not one of the order's in the store."""
    lines = {line.shopify_id: line.id for line in order.line_items if line.shopify_id is not None}
    units: Dict[int, int] = {}
    for item in payload.get("return_line_items") or []:
        line = ((item.get("fulfillment_line_item") or {}).get("line_item") or {}).get("id")
        line_id = lines.get(int(line)) if line is not None else None
        if line_id is None:
            return None
        units[line_id] = units.get(line_id, 0) + int(item["quantity"])
    return units or None


def _reason(payload: Payload) -> str:
    reasons = {str(i.get("return_reason") or "").lower() for i in payload.get("return_line_items") or []}
    return REASONS.get(reasons.pop(), "other") if len(reasons) == 1 else "other"


def _requested(session: Session, payload: Payload, gid: str) -> Outcome:
    """A return asked in Shopify (the shop's own returns page, or staff): written as requested."""
    order = _order(session, payload)
    if order is None:
        return Outcome.IGNORED
    units = _return_items(session, order, payload)
    if units is None:
        return Outcome.IGNORED
    ret = Return(
        rma=str(payload.get("name") or gid.rsplit("/", 1)[-1])[:40],
        order=order,
        status="requested",
        reason=_reason(payload),
        resolution="exchange" if payload.get("exchange_line_items") else "refund",
        # one Shopify return is one request: its id keeps it apart from the order's others
        request_key=f"shopify:{gid.rsplit('/', 1)[-1]}"[:200],
        created_at=clock.now(),
        shopify_id=gid,
    )
    ret.items.extend(ReturnItem(line_item_id=line, quantity=quantity) for line, quantity in units.items())
    session.add(ret)
    session.flush()
    return Outcome.APPLIED


def apply_return(session: Session, payload: Payload, *, topic: str) -> Outcome:
    """Apply one returns webhook of ``topic`` (see the module docstring for what each does)."""
    gid = return_gid(payload)
    ret = session.execute(select(Return).where(Return.shopify_id == gid)).scalars().first()
    if ret is None:
        return _requested(session, payload, gid) if topic == REQUEST_TOPIC else Outcome.IGNORED
    if topic == REQUEST_TOPIC:
        return Outcome.STALE  # the assistant's own request, written when Shopify answered it
    status, applies_to = MOVES[topic]
    if ret.status not in applies_to:
        return Outcome.STALE
    now = clock.now()
    ret.status = status
    ret.updated_at = now
    if status == "received" and ret.received_at is None:
        ret.received_at = now
    return Outcome.APPLIED


RETURN_APPLIERS: Dict[str, Callable[[Session, Payload], Outcome]] = {
    topic: partial(apply_return, topic=topic) for topic in (REQUEST_TOPIC, *MOVES)
}
"""The returns topics, for :data:`integrations.shopify.webhooks.APPLIERS`."""


__all__ = ["MOVES", "RETURN_APPLIERS", "apply_return", "return_gid"]
