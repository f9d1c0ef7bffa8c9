"""Import shipments: Shopify's orders export has no tracking, so they come in a file beside it.

Columns: ``Order Name, Tracking Company, Tracking Number, Tracking URL, Shipment Status,
Shipped At, Estimated Delivery, Delivered At, Lineitem sku, Lineitem quantity``; one row per
shipped line, rows with the same order and tracking number form one shipment.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from store.contact import parse_order_number
from store.importers.csvfile import CsvFile
from store.importers.progress import SILENT, ImportProgress
from store.models import Fulfillment, FulfillmentLine, Order

COLUMNS = (
    "Order Name",
    "Tracking Company",
    "Tracking Number",
    "Tracking URL",
    "Shipment Status",
    "Shipped At",
    "Estimated Delivery",
    "Delivered At",
    "Lineitem sku",
    "Lineitem quantity",
)
STATUSES = ("in_transit", "out_for_delivery", "delayed", "attempted_delivery", "failure", "delivered")


def import_fulfillments(session: Session, path: Path, progress: ImportProgress = SILENT) -> int:
    """Add shipments to the orders already in ``session``.

    Returns:
        The number of shipments added.
    """
    csv = CsvFile(path, progress)
    csv.require("Order Name", "Tracking Number", "Shipped At", "Lineitem sku", "Lineitem quantity")
    orders = {
        o.number: o
        for o in session.execute(
            select(Order).options(selectinload(Order.line_items), selectinload(Order.fulfillments))
        ).scalars()
    }
    shipments: dict[tuple[int, str], Fulfillment] = {}
    shipped: dict[int, int] = {}
    for row in csv:
        number = parse_order_number(row.get("Order Name"))
        order = orders.get(number) if number is not None else None
        if order is None:
            raise csv.fail(row, f"Order Name {row.get('Order Name')!r} is not an order in the orders file")
        status = (row.get("Shipment Status") or "in_transit").lower()
        if status not in STATUSES:
            raise csv.fail(row, f"Shipment Status {status!r} is not one of {', '.join(STATUSES)}")
        key = (order.number, row.get("Tracking Number"))
        fulfillment = shipments.get(key)
        if fulfillment is None:
            eta = row.get("Estimated Delivery")
            try:
                estimated = date.fromisoformat(eta) if eta else None
            except ValueError:
                raise csv.fail(row, f"Estimated Delivery {eta!r} is not a date YYYY-MM-DD") from None
            fulfillment = Fulfillment(
                carrier=row.get("Tracking Company") or None,
                tracking_number=row.get("Tracking Number") or None,
                tracking_url=row.get("Tracking URL") or None,
                shipment_status=status,
                shipped_at=csv.when(row, "Shipped At", required=True),
                estimated_delivery=estimated,
                delivered_at=csv.when(row, "Delivered At"),
            )
            if fulfillment.delivered_at is not None:
                fulfillment.shipment_status = "delivered"
            order.fulfillments.append(fulfillment)
            shipments[key] = fulfillment
        sku = row.get("Lineitem sku").upper()
        item = next((i for i in order.line_items if i.sku == sku), None)
        if item is None:
            raise csv.fail(row, f"Lineitem sku {sku!r} is not in order {order.name}")
        quantity = csv.whole(row, "Lineitem quantity", required=True, minimum=1) or 0
        shipped[id(item)] = shipped.get(id(item), 0) + quantity
        if shipped[id(item)] > item.quantity:
            raise csv.fail(row, f"ships more units of {sku} than order {order.name} has ({item.quantity})")
        fulfillment.lines.append(FulfillmentLine(line_item=item, quantity=quantity))
    session.flush()
    return len(shipments)
