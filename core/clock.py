"""The one clock: every "now" in the store, the actions and the channels comes from :func:`now`.

Rules about time (business hours, delivery dates, return windows, discount dates, token expiry)
take an explicit ``now`` where they can; when they need the current time they ask this module,
never ``datetime.now()`` directly, so that a test pins one clock for everything with :func:`pinned`
instead of patching a private ``_now`` in each module.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator, Optional

_pinned: Optional[datetime] = None


def now() -> datetime:
    """The current time, timezone-aware, in UTC (the pinned time while :func:`pinned` holds)."""
    return _pinned if _pinned is not None else datetime.now(timezone.utc)


@contextmanager
def pinned(moment: datetime) -> Iterator[None]:
    """Make :func:`now` return ``moment`` (aware) inside the ``with`` block, in every thread.

    Raises:
        ValueError: ``moment`` has no time zone (a naive time would be read as local time).
    """
    global _pinned
    if moment.tzinfo is None:
        raise ValueError("pin the clock to an aware datetime")
    before, _pinned = _pinned, moment.astimezone(timezone.utc)
    try:
        yield
    finally:
        _pinned = before
