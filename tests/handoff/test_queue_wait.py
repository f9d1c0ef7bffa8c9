"""The wait shown in the console queue: until claimed, else until resolved, else until now."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Optional

import pytest

from store.handoffs import HandoffView
from storefront.handoff.views import queue_item, waited_seconds

CREATED = datetime(2026, 6, 9, 14, 0, tzinfo=timezone.utc)


def handoff(claimed_after: Optional[int] = None, resolved_after: Optional[int] = None) -> HandoffView:
    def at(seconds: Optional[int]) -> Optional[datetime]:
        return None if seconds is None else CREATED + timedelta(seconds=seconds)

    return HandoffView(
        id=1, conversation_id="c", channel="rest", status="queued", offline=False, reason="requested",
        summary="", context={}, claimed_by=None, created_at=CREATED, claimed_at=at(claimed_after),
        resolved_at=at(resolved_after), resolved_by=None, messages=(),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("claimed_after", "resolved_after", "now_after", "waited"),
    [
        (None, None, 95, 95),  # still queued: until now
        (40, None, 95, 40),  # claimed: until the claim, however long ago
        (40, 80, 95, 40),
        (None, 70, 95, 70),  # resolved without a claim (hand-back from the helpdesk)
        (None, None, -5, 0),  # a clock behind the record never shows a negative wait
    ],
)
def test_waited_seconds(
    claimed_after: Optional[int], resolved_after: Optional[int], now_after: int, waited: int
) -> None:
    record = handoff(claimed_after, resolved_after)
    now = CREATED + timedelta(seconds=now_after)
    assert waited_seconds(record, now) == waited
    assert queue_item(record, now)["wait_seconds"] == waited
