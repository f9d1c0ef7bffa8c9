"""Progress for the long tooling runs (``make compare``, ``make cv``, ``make bench``...).

Training a pipeline or parsing a few hundred messages takes minutes; these helpers make sure such
a run is never silent for long without drowning a log:

- :func:`counted` and :func:`bar` show counted work (messages parsed, messages sent) as a tqdm bar
  on a terminal, and stay quiet in a log file, where the callers print one line per phase instead;
- :func:`run_logged` runs a command with its output in a log file and, while it runs, shows how
  long it has been running and the log's latest line (Rasa's own epoch bars included): one line
  updated in place on a terminal, a line every ``every_s`` seconds in a log.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, Mapping, Optional, Sequence, TextIO, TypeVar

from tqdm import tqdm

T = TypeVar("T")

_TAIL_BYTES = 4096
_WIDTH = 70


def bar(total: int, label: str) -> tqdm:
    """A progress bar to ``update()`` (thread-safe) on a terminal; silent when stderr is not one."""
    return tqdm(total=total, desc=label, unit="msg", file=sys.stderr, leave=False, disable=None)


def counted(items: Sequence[T], label: str) -> Iterator[T]:
    """Iterate ``items`` with a progress bar on a terminal (no output when stderr is not one)."""
    with bar(len(items), label) as progress:
        for item in items:
            yield item
            progress.update()


def duration(seconds: float) -> str:
    """``42 s`` or ``3 min 05 s``."""
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def latest_line(log: Path) -> str:
    """The last non-empty line of ``log``, shortened (tqdm bars rewrite theirs after a ``\\r``)."""
    try:
        with open(log, "rb") as handle:
            handle.seek(0, 2)
            handle.seek(max(0, handle.tell() - _TAIL_BYTES))
            tail = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    lines = [line.strip() for line in re.split(r"[\r\n]+", tail) if line.strip()]
    if not lines:
        return ""
    line = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", lines[-1])  # colours and cursor moves
    line = re.sub(r"^\d{4}-\d\d-\d\d[ T][\d:.,]+\s+", "", line)  # the status line says the time
    line = re.sub(r"\s{2,}", " ", line)
    return line if len(line) <= _WIDTH else line[: _WIDTH - 3] + "..."


def run_logged(
    command: Sequence[str],
    log: Path,
    label: str,
    *,
    cwd: Optional[Path] = None,
    env: Optional[Mapping[str, str]] = None,
    every_s: float = 60.0,
    poll_s: float = 1.0,
    out: Optional[TextIO] = None,
) -> int:
    """Run ``command`` with stdout and stderr in ``log``, narrating while it runs; its exit code."""
    out = out or sys.stdout
    in_place = out.isatty()
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    said = started
    with open(log, "w", encoding="utf-8") as handle:
        process = subprocess.Popen(
            list(command), cwd=cwd, env=None if env is None else dict(env),
            stdout=handle, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            while True:
                try:
                    return process.wait(timeout=poll_s)
                except subprocess.TimeoutExpired:
                    pass
                now = time.monotonic()
                status = f"    {label}: {duration(now - started)}  {latest_line(log)}".rstrip()
                if in_place:
                    print(f"\r\033[K{status}", end="", file=out, flush=True)
                elif now - said >= every_s:
                    print(status, file=out, flush=True)
                    said = now
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            if in_place:
                print("\r\033[K", end="", file=out, flush=True)
