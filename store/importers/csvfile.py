"""Reading CSV exports: BOM-tolerant, with spreadsheet row numbers (the header is row 1)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterator, Optional

from store.importers.errors import StoreImportError
from store.importers.progress import SILENT, ImportProgress
from store.models import money


@dataclass
class CsvRow:
    """One data row: ``number`` is its row in a spreadsheet (the header is row 1)."""

    number: int
    cells: dict

    def get(self, column: Optional[str]) -> str:
        """The trimmed cell under ``column`` ('' when the column or the cell is absent)."""
        if column is None:
            return ""
        return (self.cells.get(column) or "").strip()


class CsvFile:
    """A CSV export opened for import, with helpers that raise row-numbered errors.

    Iterating over it reports the file as a step of ``progress`` and each row as it is handed out.
    """

    def __init__(self, path: Path, progress: ImportProgress = SILENT) -> None:
        self.path = Path(path)
        self.progress = progress
        self.name = self.path.name
        if not self.path.exists():
            raise StoreImportError(self.name, f"file not found: {self.path}")
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                self.headers = [h.strip() for h in (reader.fieldnames or [])]
                reader.fieldnames = self.headers
                self.rows = [CsvRow(i + 2, row) for i, row in enumerate(reader)]
        except UnicodeDecodeError:
            raise StoreImportError(self.name, "not UTF-8 text (export the CSV again as UTF-8)") from None
        except csv.Error as exc:
            raise StoreImportError(self.name, f"malformed CSV: {exc}") from None
        for row in self.rows:
            if None in row.cells:
                raise StoreImportError(self.name, "more cells than header columns", row.number)

    def __iter__(self) -> Iterator[CsvRow]:
        self.progress.step(self.name, len(self.rows))
        for row in self.rows:
            yield row
            self.progress.advance()

    def require(self, *columns: str) -> None:
        """Raise unless every column is in the header."""
        missing = [c for c in columns if c not in self.headers]
        if missing:
            raise StoreImportError(self.name, f"missing column(s): {', '.join(missing)}")

    def fail(self, row: CsvRow, reason: str) -> StoreImportError:
        """An error for ``row`` (raise it)."""
        return StoreImportError(self.name, reason, row.number)

    def amount(self, row: CsvRow, column: str, *, required: bool = False) -> Optional[Decimal]:
        """A money cell; blank gives None (or an error when ``required``)."""
        text = row.get(column).replace(",", "").lstrip("$")
        if not text:
            if required:
                raise self.fail(row, f"{column} is empty")
            return None
        try:
            return money(Decimal(text))
        except (InvalidOperation, ValueError):
            raise self.fail(row, f"{column} {row.get(column)!r} is not an amount") from None

    def whole(
        self, row: CsvRow, column: str, *, required: bool = False, minimum: Optional[int] = None
    ) -> Optional[int]:
        """An integer cell (``"3"`` or ``"3.0"``); blank gives None unless ``required``."""
        text = row.get(column)
        if not text:
            if required:
                raise self.fail(row, f"{column} is empty")
            return None
        try:
            value = Decimal(text)
            if value != value.to_integral_value():
                raise InvalidOperation
        except InvalidOperation:
            raise self.fail(row, f"{column} {text!r} is not a whole number") from None
        if minimum is not None and value < minimum:
            raise self.fail(row, f"{column} {text!r} must be at least {minimum}")
        return int(value)

    def when(self, row: CsvRow, column: str, *, required: bool = False) -> Optional[datetime]:
        """A Shopify timestamp (``2024-01-05 10:15:32 -0500`` or ISO 8601 with an offset)."""
        text = row.get(column)
        if not text:
            if required:
                raise self.fail(row, f"{column} is empty")
            return None
        for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z"):
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                pass
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self.fail(row, f"{column} {text!r} is not a date and time") from None
        if value.tzinfo is None:
            raise self.fail(row, f"{column} {text!r} has no time zone offset")
        return value.astimezone(timezone.utc)

    def flag(self, row: CsvRow, column: str) -> bool:
        """A yes/no cell (TRUE, yes, subscribed, 1 ...)."""
        return row.get(column).lower() in ("true", "yes", "y", "1", "subscribed", "opted_in")
