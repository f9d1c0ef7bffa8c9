"""The one clock: pinned for store code running in worker threads too, and unpinned afterwards."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import List

import pytest
from sqlalchemy.orm import Session

from core import clock
from store.db import make_engine
from store.info import support_hours

MOMENT = datetime(2026, 7, 3, 15, 0, tzinfo=timezone.utc)


def test_pinned_time_is_seen_in_other_threads_and_released() -> None:
    seen: List[datetime] = []
    with clock.pinned(MOMENT):
        worker = threading.Thread(target=lambda: seen.append(clock.now()))
        worker.start()
        worker.join()
        assert clock.now() == MOMENT
    assert seen == [MOMENT]
    assert clock.now() != MOMENT and clock.now().tzinfo is timezone.utc


def test_pins_nest_and_come_back_in_order() -> None:
    later = MOMENT + timedelta(days=1)
    with clock.pinned(MOMENT):
        with clock.pinned(later.astimezone(timezone(timedelta(hours=-4)))):
            assert clock.now() == later and clock.now().utcoffset() == timedelta(0)
        assert clock.now() == MOMENT


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"), clock.pinned(datetime(2026, 7, 3, 15, 0)):
        pass


def test_store_rules_read_the_pinned_clock(store_db_url: str) -> None:
    """Friday 3 July 2026 is Independence Day (observed) for the sample US store: closed all day."""
    engine = make_engine(store_db_url)
    try:
        with Session(engine) as session, clock.pinned(MOMENT):
            hours = support_hours(session)
    finally:
        engine.dispose()
    assert not hours.open_now and hours.next_open.date().isoformat() == "2026-07-06"
