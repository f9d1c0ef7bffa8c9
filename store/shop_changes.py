"""Order changes a connected Shopify store makes: the checks before, the record after.

With a shop connected, a cancellation, an address change or a return is asked of Shopify first (see
``integrations.shopify.writeback``); the store's own rules still decide what may be asked (the
shopper owns the order, it has not shipped, the address is complete and in the same country), and
the store's rows change only from Shopify's answer. These functions are those two halves; the
local-only versions are :func:`store.orders.cancel_order` and
:func:`store.orders.change_shipping_address`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Optional, Union

from sqlalchemy.orm import Session

from core import clock
from store.codes import OrderChangeRefusal, ReturnFailure
from store.orders import (
    Address,
    OrderChangeResult,
    OrderView,
    address_refusal,
    load_order,
    lock_order,
    order_change_view,
    order_to_change,
    shipping_address_fields,
)
from store.returns import CLOSED_WITHOUT_RETURN, ReturnPlan, ReturnResult, write_return


@dataclass(frozen=True)
class ShopOrder:
    """An order the store allows to change: its Shopify id (None: imported only) and its view."""

    shopify_id: Optional[int]
    order: OrderView
    new_address: Optional[Dict[str, Any]] = None


def check_cancellation(
    session: Session, *, order_number: str, contact: str, now: Optional[datetime] = None
) -> Union[ShopOrder, OrderChangeResult]:
    """The order to cancel in the shop, or the store's refusal (nothing is written)."""
    current = now or clock.now()
    order = order_to_change(session, order_number=order_number, contact=contact, now=current, lock=False)
    if isinstance(order, OrderChangeResult):
        return order
    return ShopOrder(order.shopify_id, order_change_view(session, order, current))


def check_address_change(
    session: Session, *, order_number: str, contact: str, address: Address, now: Optional[datetime] = None
) -> Union[ShopOrder, OrderChangeResult]:
    """The order and its new address fields to send to the shop, or the store's refusal."""
    current = now or clock.now()
    order = order_to_change(session, order_number=order_number, contact=contact, now=current, lock=False)
    if isinstance(order, OrderChangeResult):
        return order
    view = order_change_view(session, order, current)
    refusal = address_refusal(session, order, address)
    if refusal is not None:
        return OrderChangeResult(ok=False, reason=refusal, order=view)
    return ShopOrder(order.shopify_id, view, shipping_address_fields(order, address))


def record_cancellation(
    session: Session, *, order_number: int, reason: str, now: Optional[datetime] = None
) -> OrderChangeResult:
    """Shopify accepted the cancellation: the order reads as cancelled from now on.

    Refund and restock are Shopify's to do; the ``orders/cancelled`` and inventory webhooks bring
    them. ``updated_at`` stays Shopify's, so that webhook is never taken for an older version.
    """
    current = now or clock.now()
    order = load_order(session, order_number)
    if order is None:
        return OrderChangeResult(ok=False, reason=OrderChangeRefusal.NOT_FOUND)
    order.cancelled_at = order.cancelled_at or current
    order.cancel_reason = order.cancel_reason or reason
    session.flush()
    return OrderChangeResult(ok=True, order=order_change_view(session, order, current))


def record_shipping_address(
    session: Session,
    *,
    order_number: int,
    address: Dict[str, Any],
    updated_at: Optional[datetime],
    now: Optional[datetime] = None,
) -> OrderChangeResult:
    """Shopify changed the address: keep the one it answered with, at its ``updatedAt``."""
    current = now or clock.now()
    order = load_order(session, order_number)
    if order is None:
        return OrderChangeResult(ok=False, reason=OrderChangeRefusal.NOT_FOUND)
    if updated_at is None or order.updated_at is None or updated_at >= order.updated_at:
        order.shipping_address = address
        order.shipping_country = address.get("country") or order.shipping_country
        order.updated_at = updated_at or order.updated_at
    session.flush()
    return OrderChangeResult(ok=True, order=order_change_view(session, order, current))


def record_shop_return(
    session: Session, *, plan: ReturnPlan, rma: str, shopify_id: str, now: Optional[datetime] = None
) -> ReturnResult:
    """Shopify opened the return: keep it under Shopify's name and id.

    The same return again (the answer recorded twice, or its webhook first) finds the row already
    written and changes nothing.
    """
    order = load_order(session, plan.order_number)
    if order is None:
        return ReturnResult(ok=False, reason=ReturnFailure.NOT_FOUND)
    order = lock_order(session, order)
    for existing in order.returns:
        if existing.shopify_id == shopify_id or (
            existing.request_key == plan.request_key and existing.status not in CLOSED_WITHOUT_RETURN
        ):
            items = tuple(sorted((i.line_item_id, i.quantity) for i in existing.items))
            return ReturnResult(ok=True, rma=existing.rma, created=False, items=items)
    return write_return(session, order, plan, now=now or clock.now(), rma=rma, shopify_id=shopify_id)


__all__ = [
    "ShopOrder",
    "check_address_change",
    "check_cancellation",
    "record_cancellation",
    "record_shipping_address",
    "record_shop_return",
]
