"""When a shopper may be asked for a rating, and what a rating and a comment are."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from store.satisfaction import clean_comment, may_ask, parse_asked_at, valid_score

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)


def test_never_asked_is_asked() -> None:
    assert may_ask(asked_at=None, now=NOW, handoff_open=False)


def test_not_twice_within_a_day_and_again_after_it() -> None:
    assert not may_ask(
        asked_at=(NOW - timedelta(hours=23, minutes=59)).isoformat(), now=NOW, handoff_open=False
    )
    assert may_ask(asked_at=(NOW - timedelta(days=1)).isoformat(), now=NOW, handoff_open=False)


def test_never_while_a_person_has_the_conversation() -> None:
    assert not may_ask(asked_at=None, now=NOW, handoff_open=True)


@pytest.mark.parametrize("value", ["", "yesterday", "2026-12-01T10:00:00", 17, None])
def test_an_unreadable_or_naive_time_reads_as_never_asked(value: object) -> None:
    assert parse_asked_at(value) is None


@pytest.mark.parametrize(
    ("value", "score"),
    [("5", 5), ("1", 1), (3, 3), (" 4 ", 4), ("0", None), ("6", None), ("4.5", None), (None, None)],
)
def test_a_rating_is_a_whole_number_from_1_to_5(value: object, score: object) -> None:
    assert valid_score(value) == score


def test_a_comment_is_trimmed_capped_and_no_thanks_is_empty() -> None:
    assert clean_comment("  great   help \n") == "great help"
    assert clean_comment("-") == ""
    assert len(clean_comment("x" * 5000)) == 1000
