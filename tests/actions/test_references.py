"""Positions among the products just shown: "the first two", "the 2nd one", "option 3"."""

from __future__ import annotations

from typing import List

import pytest

from actions.references import pick, positions_named

SHOWN = ["harbor-rain-shell", "hooded-rain-parka", "varsity-jacket"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("compare the first two", SHOWN[:2]),
        ("top 3 side by side", SHOWN),
        ("how do the last two differ", SHOWN[1:]),
        ("the 1st and the 3rd", [SHOWN[0], SHOWN[2]]),
        ("add the second one to my cart", [SHOWN[1]]),
        ("option 3 please", [SHOWN[2]]),
        ("first vs second?", SHOWN[:2]),
        ("I'll take the last one", [SHOWN[2]]),
    ],
)
def test_positions_pick_the_products_meant(text: str, expected: List[str]) -> None:
    assert pick(SHOWN, positions_named(text)) == expected


@pytest.mark.parametrize("text", ["compare these", "add it to my cart", "which is warmer?"])
def test_no_position_picks_nothing(text: str) -> None:
    assert positions_named(text) == []


def test_positions_beyond_the_list_are_ignored() -> None:
    assert pick(SHOWN[:2], positions_named("the third and the first")) == [SHOWN[0]]
