"""Import existing returns (RMAs): ``RMA, Order Name, Lineitem sku, Quantity, Reason,
Resolution, Status, Created At``, optionally the refund's steps ``Received At, Inspected At,
Refunded At, Refund Amount, Refund Method``; rows with the same RMA form one return."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from store.contact import parse_order_number
from store.importers.csvfile import CsvFile, CsvRow
from store.importers.progress import SILENT, ImportProgress
from store.models import Order, Return, ReturnItem

RESOLUTIONS = ("refund", "exchange", "store_credit")
STATUSES = (
    "requested", "approved", "in_transit", "received", "refunded", "exchanged", "rejected", "cancelled",
)  # fmt: skip
REFUND_METHODS = ("original_payment", "store_credit")


def _refund_method(csv: CsvFile, row: CsvRow) -> Optional[str]:
    method = row.get("Refund Method").lower() or None
    if method is not None and method not in REFUND_METHODS:
        raise csv.fail(row, f"Refund Method {method!r} is not one of {', '.join(REFUND_METHODS)}")
    return method


def import_returns(session: Session, path: Path, progress: ImportProgress = SILENT) -> int:
    """Add returns to the orders already in ``session``; returns how many RMAs were added."""
    csv = CsvFile(path, progress)
    csv.require(
        "RMA", "Order Name", "Lineitem sku", "Quantity", "Reason", "Resolution", "Status", "Created At"
    )
    orders = {
        o.number: o for o in session.execute(select(Order).options(selectinload(Order.line_items))).scalars()
    }
    returns: dict[str, Return] = {}
    for row in csv:
        number = parse_order_number(row.get("Order Name"))
        order = orders.get(number) if number is not None else None
        if order is None:
            raise csv.fail(row, f"Order Name {row.get('Order Name')!r} is not an order in the orders file")
        resolution, status = row.get("Resolution").lower(), row.get("Status").lower()
        if resolution not in RESOLUTIONS:
            raise csv.fail(row, f"Resolution {resolution!r} is not one of {', '.join(RESOLUTIONS)}")
        if status not in STATUSES:
            raise csv.fail(row, f"Status {status!r} is not one of {', '.join(STATUSES)}")
        rma = row.get("RMA")
        if not rma:
            raise csv.fail(row, "RMA is empty")
        ret = returns.get(rma)
        if ret is None:
            ret = Return(
                rma=rma,
                order=order,
                status=status,
                reason=row.get("Reason") or "other",
                resolution=resolution,
                created_at=csv.when(row, "Created At", required=True),
                request_key="",
                received_at=csv.when(row, "Received At"),
                inspected_at=csv.when(row, "Inspected At"),
                refunded_at=csv.when(row, "Refunded At"),
                refund_amount=csv.amount(row, "Refund Amount"),
                refund_method=_refund_method(csv, row),
            )
            returns[rma] = ret
            session.add(ret)
        elif ret.order is not order:
            raise csv.fail(row, f"RMA {rma} already belongs to order {ret.order.name}")
        sku = row.get("Lineitem sku").upper()
        item = next((i for i in order.line_items if i.sku == sku), None)
        if item is None:
            raise csv.fail(row, f"Lineitem sku {sku!r} is not in order {order.name}")
        ret.items.append(
            ReturnItem(line_item=item, quantity=csv.whole(row, "Quantity", required=True, minimum=1))
        )
    session.flush()
    for ret in returns.values():
        # the same key create_return would compute, so asking again for these items finds the RMA
        ret.request_key = ",".join(str(i) for i in sorted({item.line_item.id for item in ret.items}))
    session.flush()
    return len(returns)
