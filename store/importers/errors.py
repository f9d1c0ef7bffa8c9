"""The one error every importer raises: where (file, row) and why, on one line."""

from __future__ import annotations

from typing import Optional


class StoreImportError(ValueError):
    """A file cannot be imported; ``str(error)`` is e.g. ``orders.csv row 17: <reason>``."""

    def __init__(self, source: str, reason: str, row: Optional[int] = None) -> None:
        self.source = source
        self.row = row
        self.reason = reason
        where = f"{source} row {row}" if row is not None else source
        super().__init__(f"{where}: {reason}")
