"""A short follow-up asks the question just answered again (actions/topics.py)."""

from __future__ import annotations

import pytest

from actions.topics import is_follow_up


@pytest.mark.parametrize(
    "text",
    ["and the jeans?", "what about the Chelsea Boot", "same for the zip hoodie?", "ok and in black?",
     "how about size 10", "the parka?", "and in the chelsea boot? i'm usually a uk 7"],
)  # fmt: skip
def test_follow_ups(text: str) -> None:
    assert is_follow_up(text)


@pytest.mark.parametrize(
    "text",
    ["I'm looking for a warm jacket for hiking under 200", "is the fleece hoodie in stock in medium please",
     "andrew said the parka runs small, is that true"],
)  # fmt: skip
def test_requests_of_their_own(text: str) -> None:
    assert not is_follow_up(text)
