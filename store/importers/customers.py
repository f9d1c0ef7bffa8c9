"""Import Shopify's customers CSV export (marketing consent per channel)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from store.contact import normalize_email, phone_key
from store.importers.csvfile import CsvFile
from store.importers.progress import SILENT, ImportProgress
from store.models import Customer


def import_customers(session: Session, path: Path, progress: ImportProgress = SILENT) -> int:
    """Add the customers of a Shopify customers export (older or current headers) to ``session``.

    ``Accepts Email Marketing`` (older exports: ``Accepts Marketing``) and ``Accepts SMS
    Marketing`` are Shopify's; ``Accepts WhatsApp Marketing`` is this project's extra column.

    Returns:
        The number of customers added.
    """
    csv = CsvFile(path, progress)
    csv.require("First Name", "Last Name", "Email")
    seen: dict[str, int] = {}
    for row in csv:
        email = normalize_email(row.get("Email"))
        if row.get("Email") and email is None:
            raise csv.fail(row, f"Email {row.get('Email')!r} is not an email address")
        if email and email in seen:
            raise csv.fail(row, f"duplicate Email {email!r} (first on row {seen[email]})")
        if email:
            seen[email] = row.number
        phone = row.get("Phone") or row.get("Default Address Phone") or None
        if not email and not phone_key(phone):
            raise csv.fail(row, "neither Email nor Phone: the customer could never be verified")
        session.add(
            Customer(
                first_name=row.get("First Name"),
                last_name=row.get("Last Name"),
                email=email,
                phone=phone,
                phone_key=phone_key(phone),
                accepts_email_marketing=csv.flag(row, "Accepts Email Marketing")
                or csv.flag(row, "Accepts Marketing"),
                accepts_sms_marketing=csv.flag(row, "Accepts SMS Marketing"),
                accepts_whatsapp_marketing=csv.flag(row, "Accepts WhatsApp Marketing"),
                tags=[t.strip() for t in row.get("Tags").split(",") if t.strip()],
            )
        )
    session.flush()
    return len(csv.rows)
