"""Import Shopify's orders CSV (one row per line item, order cells on the first row)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.contact import normalize_email, parse_order_number, phone_key
from store.importers.csvfile import CsvFile, CsvRow
from store.importers.errors import StoreImportError
from store.importers.progress import SILENT, ImportProgress
from store.models import Customer, LineItem, Order, Variant, money

REQUIRED = ("Name", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price")
_FINANCIAL = {
    "pending",
    "authorized",
    "partially_paid",
    "paid",
    "partially_refunded",
    "refunded",
    "voided",
    "expired",
}


def _customers_by_key(session: Session) -> tuple[dict, dict]:
    by_email, by_phone = {}, {}
    for customer in session.execute(select(Customer)).scalars():
        if customer.email:
            by_email[customer.email] = customer
        if customer.phone_key:
            by_phone[customer.phone_key] = customer
    return by_email, by_phone


def import_orders(session: Session, path: Path, progress: ImportProgress = SILENT) -> int:
    """Add the orders (and customers not yet known) of a Shopify orders export to ``session``.

    Returns:
        The number of orders added.

    Raises:
        StoreImportError: naming the file, row and reason of the first bad row.
    """
    csv = CsvFile(path, progress)
    csv.require(*REQUIRED)
    variants = {v.sku: v for v in session.execute(select(Variant)).scalars()}
    by_email, by_phone = _customers_by_key(session)
    orders: dict[str, Order] = {}
    current: Optional[str] = None
    for row in csv:
        name = row.get("Name")
        if not name:
            raise csv.fail(row, "Name (the order number) is empty")
        if name != current:
            if name in orders:
                raise csv.fail(
                    row, f"order {name} appears again after other orders (rows of an order must be together)"
                )
            orders[name] = _new_order(csv, row, by_email, by_phone)
            session.add(orders[name])
            current = name
        _add_line(csv, row, orders[name], variants)
    session.flush()
    return len(orders)


def _new_order(csv: CsvFile, row: CsvRow, by_email: dict, by_phone: dict) -> Order:
    number = parse_order_number(row.get("Name"))
    if number is None:
        raise csv.fail(row, f"Name {row.get('Name')!r} is not an order number like #1001")
    email = normalize_email(row.get("Email"))
    if row.get("Email") and email is None:
        raise csv.fail(row, f"Email {row.get('Email')!r} is not an email address")
    financial = (row.get("Financial Status") or "paid").lower()
    if financial not in _FINANCIAL:
        raise csv.fail(
            row, f"Financial Status {row.get('Financial Status')!r} is not a Shopify financial status"
        )
    phone = row.get("Phone") or row.get("Shipping Phone") or row.get("Billing Phone") or None
    customer = _customer(csv, row, email, phone, by_email, by_phone)
    country = (row.get("Shipping Country") or row.get("Billing Country")).upper() or None
    if country and len(country) != 2:
        raise csv.fail(row, f"Shipping Country {country!r} is not a two-letter country code")
    tags = [t.strip() for t in row.get("Tags").split(",") if t.strip()]
    return Order(
        number=number,
        name=f"#{number}",
        customer=customer,
        email=email,
        phone=phone,
        phone_key=phone_key(phone),
        placed_at=csv.when(row, "Created at", required=True),
        financial_status=financial,
        fulfillment_status=(row.get("Fulfillment Status") or "unfulfilled").lower(),
        currency=(row.get("Currency") or "USD").upper(),
        subtotal=csv.amount(row, "Subtotal") or money(0),
        shipping=csv.amount(row, "Shipping") or money(0),
        taxes=csv.amount(row, "Taxes") or money(0),
        total=csv.amount(row, "Total") or money(0),
        discount_code=row.get("Discount Code") or None,
        discount_amount=csv.amount(row, "Discount Amount") or money(0),
        shipping_method=row.get("Shipping Method") or None,
        shipping_address={
            "name": row.get("Shipping Name") or None,
            "address1": row.get("Shipping Address1") or row.get("Shipping Street"),
            "address2": row.get("Shipping Address2") or None,
            "city": row.get("Shipping City"),
            "region": row.get("Shipping Province") or None,
            "postal_code": row.get("Shipping Zip").lstrip("'"),
            "country": country or "",
            "phone": row.get("Shipping Phone") or None,
        },
        shipping_country=country,
        cancelled_at=csv.when(row, "Cancelled at"),
        refunded_amount=csv.amount(row, "Refunded Amount") or money(0),
        tags=tags,
        note=row.get("Notes") or None,
        updated_at=None,
    )


def _customer(
    csv: CsvFile, row: CsvRow, email: Optional[str], phone: Optional[str], by_email: dict, by_phone: dict
) -> Optional[Customer]:
    key = phone_key(phone)
    customer = (by_email.get(email) if email else None) or (by_phone.get(key) if key and not email else None)
    if customer is not None or not (email or key):
        return customer
    first, _, last = (row.get("Billing Name") or row.get("Shipping Name")).partition(" ")
    customer = Customer(
        first_name=first,
        last_name=last,
        email=email,
        phone=phone,
        phone_key=key,
        accepts_email_marketing=csv.flag(row, "Accepts Marketing")
        or csv.flag(row, "Accepts Email Marketing"),
        accepts_sms_marketing=csv.flag(row, "Accepts SMS Marketing"),
        created_at=csv.when(row, "Created at"),
    )
    if email:
        by_email[email] = customer
    if key:
        by_phone.setdefault(key, customer)
    return customer


def _add_line(csv: CsvFile, row: CsvRow, order: Order, variants: dict) -> None:
    quantity = csv.whole(row, "Lineitem quantity", required=True, minimum=1)
    price = csv.amount(row, "Lineitem price", required=True)
    title = row.get("Lineitem name")
    if not title:
        raise csv.fail(row, "Lineitem name is empty")
    sku = row.get("Lineitem sku").upper() or None
    variant = variants.get(sku) if sku else None
    size = color = None
    if variant is not None:
        size, color = variant.size, variant.color
    elif " - " in title:
        parts = [p.strip() for p in title.rsplit(" - ", 1)[1].split("/")]
        size, color = parts[0], parts[1] if len(parts) > 1 else None
    status = row.get("Lineitem fulfillment status").lower() or None
    if status not in (None, "fulfilled", "pending", "unfulfilled", "partial", "restocked"):
        raise csv.fail(row, f"Lineitem fulfillment status {status!r} is not a Shopify fulfillment status")
    order.line_items.append(
        LineItem(
            position=len(order.line_items),
            sku=sku,
            variant=variant,
            title=title,
            size=size,
            color=color,
            quantity=quantity,
            price=price,
            fulfillment_status=status,
        )
    )


__all__ = ["StoreImportError", "import_orders"]
