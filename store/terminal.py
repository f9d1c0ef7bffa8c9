"""What ``python -m store`` draws on a terminal while an import runs: a bar per file, a line per step."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator, Optional, TextIO

from tqdm import tqdm

from store.importers.progress import SILENT, ImportProgress


class TerminalProgress:
    """Draws an import's progress on ``stream``: a bar with running row counts for each file."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._bar: Optional[tqdm] = None

    def step(self, label: str, rows: Optional[int] = None) -> None:
        self.close()
        if rows is None:
            print(label, file=self._stream, flush=True)
        else:
            columns, lines = self._size()
            self._bar = tqdm(
                total=rows, desc=label, unit=" rows", file=self._stream, ncols=columns, nrows=lines
            )

    def advance(self, rows: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(rows)

    def _size(self) -> tuple[int, int]:
        """The terminal's columns and lines; 80 by 24 when it reports none.

        A pseudo-terminal without a size (``script``, some CI runners) says 0 by 0, and tqdm then
        draws nothing at all.
        """
        try:
            size = os.get_terminal_size(self._stream.fileno())
        except (OSError, ValueError):
            return 80, 24
        return size.columns or 80, size.lines or 24

    def close(self) -> None:
        """End the current bar, if any (it stays on screen at its final count)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@contextmanager
def import_progress(stream: TextIO) -> Iterator[ImportProgress]:
    """Bars on ``stream`` when it is a terminal; nothing otherwise (logs get the summary line only)."""
    if not stream.isatty():
        yield SILENT
        return
    progress = TerminalProgress(stream)
    try:
        yield progress
    finally:
        progress.close()
