"""How far an import is, told step by step and row by row to whoever draws it (the CLI).

The store never prints: :func:`store.importers.load.import_store` and the importers report to an
:class:`ImportProgress`, and ``python -m store`` decides whether that is a bar on a terminal or
nothing until the one-line summary.
"""

from __future__ import annotations

from typing import Optional, Protocol


class ImportProgress(Protocol):
    """Receives an import's steps in order, and the rows done within each."""

    def step(self, label: str, rows: Optional[int] = None) -> None:
        """A step begins: reading a file of ``rows`` data rows, or a step of unknown size (``None``)."""

    def advance(self, rows: int = 1) -> None:
        """``rows`` more rows of the current step are done."""


class Silent:
    """Progress nobody watches: every report is dropped."""

    def step(self, label: str, rows: Optional[int] = None) -> None:
        pass

    def advance(self, rows: int = 1) -> None:
        pass


SILENT = Silent()
