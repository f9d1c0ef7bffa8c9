"""What the shopper says went wrong with a delivery: the store's fault that starts a return, and an
item missing from the parcel."""

from __future__ import annotations

import pytest

from actions.orders import says_item_missing
from actions.return_choices import store_fault

REASONS = ("too_small", "too_big", "not_as_pictured", "damaged", "wrong_item", "changed_mind", "other")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("my order arrived damaged", "damaged"),
        ("the sole came off my boots after two wears", "damaged"),
        ("the zip on my jacket broke after a week", "damaged"),
        ("the seams are coming apart", "damaged"),
        ("I received the wrong item", "wrong_item"),
        ("this isn't what I ordered", "wrong_item"),
        ("i want to return my jeans", None),
        ("they're too small, can I send them back", None),
        ("returning stuff from my trip", None),
        ("you sent me the wrong size", "wrong_item"),
        ("I got the wrong colour in the post", "wrong_item"),
        # the shopper's own choice: a usual return, condition asked
        ("i ordered the wrong size, can i swap it", None),
        ("I think I bought the wrong size", None),
        ("we picked the wrong colour by accident", None),
        ("my mistake, wrong size", None),
    ],
)
def test_the_stores_fault_is_read_from_the_message_starting_the_return(text: str, reason: str) -> None:
    assert store_fault(text, REASONS) == reason


def test_a_fault_the_store_does_not_accept_as_a_reason_is_not_kept() -> None:
    assert store_fault("my order arrived damaged", ("too_small", "other")) is None


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("one item is missing from my package", True),
        ("parcel came but the belt wasn't in it", True),
        ("i only got two of the three things i ordered", True),
        ("where is my order", False),
        ("the tracking number is missing", False),
        ("my order confirmation email is missing", False),
    ],
)
def test_an_item_missing_from_the_parcel(text: str, missing: bool) -> None:
    assert says_item_missing(text) is missing
