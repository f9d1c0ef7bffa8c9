"""Turn the generated sample into Shopify-style CSV exports (plus fulfillments and returns)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from store.importers.fulfillments import COLUMNS as FULFILLMENT_COLUMNS
from store.sample.model import SampleOrder
from store.sample.orders import SampleData
from store.sample.writer import write_rows

ORDER_HEADERS = [
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Fulfilled at",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Code",
    "Discount Amount",
    "Shipping Method",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem compare at price",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Lineitem taxable",
    "Lineitem fulfillment status",
    "Billing Name",
    "Billing Street",
    "Billing Address1",
    "Billing Address2",
    "Billing Company",
    "Billing City",
    "Billing Zip",
    "Billing Province",
    "Billing Country",
    "Billing Phone",
    "Shipping Name",
    "Shipping Street",
    "Shipping Address1",
    "Shipping Address2",
    "Shipping Company",
    "Shipping City",
    "Shipping Zip",
    "Shipping Province",
    "Shipping Country",
    "Shipping Phone",
    "Notes",
    "Cancelled at",
    "Payment Method",
    "Refunded Amount",
    "Vendor",
    "Id",
    "Tags",
    "Source",
    "Phone",
]
CUSTOMER_HEADERS = [
    "First Name",
    "Last Name",
    "Email",
    "Accepts Email Marketing",
    "Default Address Company",
    "Default Address Address1",
    "Default Address Address2",
    "Default Address City",
    "Default Address Province Code",
    "Default Address Country Code",
    "Default Address Zip",
    "Default Address Phone",
    "Phone",
    "Accepts SMS Marketing",
    "Accepts WhatsApp Marketing",
    "Total Spent",
    "Total Orders",
    "Note",
    "Tax Exempt",
    "Tags",
]
RETURN_HEADERS = [
    "RMA",
    "Order Name",
    "Lineitem sku",
    "Quantity",
    "Reason",
    "Resolution",
    "Status",
    "Created At",
    "Received At",
    "Inspected At",
    "Refunded At",
    "Refund Amount",
    "Refund Method",
]


def _ts(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S %z") if value else ""


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _financial(order: SampleOrder) -> tuple[str, Decimal]:
    if order.cancelled_at:
        return "refunded", order.total
    refunded = [r for r in order.returns if r.status == "refunded"]
    if refunded:
        units = sum(q for r in refunded for _, q in r.lines)
        if units >= sum(ln.quantity for ln in order.lines):
            return "refunded", order.total
        amount = sum(
            (
                next(ln.variant.price for ln in order.lines if ln.variant.sku == sku) * q
                for r in refunded
                for sku, q in r.lines
            ),
            Decimal("0.00"),
        )
        return "partially_refunded", amount
    return "paid", Decimal("0.00")


def order_rows(order: SampleOrder) -> list[dict]:
    """The rows of one order: order cells on the first row only, like Shopify's export."""
    shipped = {sku: q for s in order.shipments for sku, q in s.lines}
    units = sum(ln.quantity for ln in order.lines)
    fulfilled = sum(shipped.values())
    status, refunded = _financial(order)
    c, a = order.customer, order.address or order.customer.address
    rows = []
    for i, line in enumerate(order.lines):
        row = {
            "Name": f"#{order.number}",
            "Lineitem quantity": str(line.quantity),
            "Lineitem name": line.name,
            "Lineitem price": str(line.variant.price),
            "Lineitem compare at price": str(line.variant.compare_at or ""),
            "Lineitem sku": line.variant.sku,
            "Lineitem requires shipping": "true",
            "Lineitem taxable": "true",
            "Lineitem fulfillment status": "fulfilled" if shipped.get(line.variant.sku) else "pending",
            "Vendor": line.product.vendor,
        }
        if i == 0:
            row.update(
                {
                    "Email": c.email,
                    "Financial Status": status,
                    "Paid at": _ts(order.placed_at),
                    "Fulfillment Status": "fulfilled"
                    if fulfilled >= units
                    else ("partial" if fulfilled else "unfulfilled"),
                    "Fulfilled at": _ts(order.shipments[-1].shipped_at)
                    if order.shipments and fulfilled >= units
                    else "",
                    "Accepts Marketing": _yes(c.accepts_email),
                    "Currency": "USD",
                    "Subtotal": str(order.subtotal),
                    "Shipping": str(order.shipping_price),
                    "Taxes": str(order.taxes),
                    "Total": str(order.total),
                    "Discount Code": order.discount_code or "",
                    "Discount Amount": str(order.discount),
                    "Shipping Method": order.method["name"],
                    "Created at": _ts(order.placed_at),
                    "Billing Name": c.name,
                    "Billing Address1": a["address1"],
                    "Billing Street": a["address1"],
                    "Billing City": a["city"],
                    "Billing Zip": a["postal_code"],
                    "Billing Province": a["region"],
                    "Billing Country": a["country"],
                    "Billing Phone": c.phone,
                    "Shipping Name": c.name,
                    "Shipping Street": a["address1"],
                    "Shipping Address1": a["address1"],
                    "Shipping City": a["city"],
                    "Shipping Zip": a["postal_code"],
                    "Shipping Province": a["region"],
                    "Shipping Country": a["country"],
                    "Shipping Phone": c.phone,
                    "Cancelled at": _ts(order.cancelled_at),
                    "Payment Method": "Shopify Payments",
                    "Refunded Amount": str(refunded),
                    "Id": str(5_000_000_000 + order.number),
                    "Tags": ", ".join(order.tags),
                    "Source": "web",
                    "Phone": c.phone,
                }
            )
        rows.append(row)
    return rows


def write_sample_exports(data: SampleData, directory: Path) -> dict[str, Path]:
    """Write customers, orders, fulfillments and returns CSVs into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {name: directory / f"{name}.csv" for name in ("customers", "orders", "fulfillments", "returns")}
    totals: dict[str, tuple[Decimal, int]] = {}
    for order in data.orders:
        spent, count = totals.get(order.customer.email, (Decimal("0.00"), 0))
        totals[order.customer.email] = (spent + (0 if order.cancelled_at else order.total), count + 1)
    write_rows(
        paths["customers"],
        CUSTOMER_HEADERS,
        (
            {
                "First Name": c.first,
                "Last Name": c.last,
                "Email": c.email,
                "Accepts Email Marketing": _yes(c.accepts_email),
                "Default Address Address1": c.address["address1"],
                "Default Address City": c.address["city"],
                "Default Address Province Code": c.address["region"],
                "Default Address Country Code": c.address["country"],
                "Default Address Zip": c.address["postal_code"],
                "Default Address Phone": c.phone,
                "Phone": c.phone,
                "Accepts SMS Marketing": _yes(c.accepts_sms),
                "Accepts WhatsApp Marketing": _yes(c.accepts_whatsapp),
                "Total Spent": str(totals.get(c.email, (Decimal("0.00"), 0))[0]),
                "Total Orders": str(totals.get(c.email, (0, 0))[1]),
                "Tax Exempt": "no",
                "Tags": ", ".join(c.tags),
            }
            for c in data.customers
        ),
    )
    write_rows(paths["orders"], ORDER_HEADERS, (row for o in data.orders for row in order_rows(o)))
    write_rows(
        paths["fulfillments"],
        list(FULFILLMENT_COLUMNS),
        (
            {
                "Order Name": f"#{o.number}",
                "Tracking Company": s.carrier,
                "Tracking Number": s.tracking_number,
                "Tracking URL": s.tracking_url,
                "Shipment Status": s.status,
                "Shipped At": _ts(s.shipped_at),
                "Estimated Delivery": s.eta.isoformat() if s.eta else "",
                "Delivered At": _ts(s.delivered_at),
                "Lineitem sku": sku,
                "Lineitem quantity": str(q),
            }
            for o in data.orders
            for s in o.shipments
            for sku, q in s.lines
        ),
    )
    write_rows(
        paths["returns"],
        RETURN_HEADERS,
        (
            {
                "RMA": r.rma,
                "Order Name": f"#{o.number}",
                "Lineitem sku": sku,
                "Quantity": str(q),
                "Reason": r.reason,
                "Resolution": r.resolution,
                "Status": r.status,
                "Created At": _ts(r.created_at),
                "Received At": _ts(r.received_at),
                "Inspected At": _ts(r.inspected_at),
                "Refunded At": _ts(r.refunded_at),
                "Refund Amount": str(r.refund_amount) if r.refund_amount is not None else "",
                "Refund Method": r.refund_method or "",
            }
            for o in data.orders
            for r in o.returns
            for sku, q in r.lines
        ),
    )
    return paths
