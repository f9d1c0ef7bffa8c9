"""Which of the products just shown a shopper means: "the first two", "the 2nd one", "the last one".

After a list of recommendations shoppers point by position rather than by name ("compare the
first two", "add the second one to my cart"). Positions are read from the words alone; the
caller holds the list they point into.
"""

from __future__ import annotations

import re
from typing import List, Sequence, TypeVar

T = TypeVar("T")

ORDINALS = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
    "fifth": 4, "5th": 4, "sixth": 5, "6th": 5, "last": -1,
}  # fmt: skip
"""A position named by its ordinal (``-1`` is the last one shown)."""
COUNTS = {"two": 2, "2": 2, "three": 3, "3": 3, "four": 4, "4": 4}
"""How many, after "first", "top" or "last" ("the first two", "top 3")."""
NUMBERED = re.compile(r"\b(?:number|no\.?|option|#)\s?([1-6])\b")
"""A position named by its number ("number 2", "option 3", "#1")."""
_WORD = re.compile(r"[a-z0-9]+(?:st|nd|rd|th)?")


def positions_named(text: str) -> List[int]:
    """The positions (0-based; negative from the end) the text points at, in the order it names them.

    "the first two" is ``[0, 1]``, "the last two" ``[-2, -1]``, "the 1st and the 3rd" ``[0, 2]``,
    "option 2" ``[1]``. Nothing positional gives ``[]``.
    """
    lowered = text.lower()
    words = _WORD.findall(lowered)
    for here, word in enumerate(words[:-1]):
        count = COUNTS.get(words[here + 1])
        if count and word in ("first", "top"):
            return list(range(count))
        if count and word == "last":
            return list(range(-count, 0))
    found = [ORDINALS[word] for word in words if word in ORDINALS]
    found += [int(number) - 1 for number in NUMBERED.findall(lowered)]
    return list(dict.fromkeys(found))


def pick(shown: Sequence[T], positions: Sequence[int]) -> List[T]:
    """The items of ``shown`` at ``positions`` (those beyond the list are ignored), without repeats."""
    picked: List[T] = []
    for position in positions:
        if -len(shown) <= position < len(shown) and shown[position] not in picked:
            picked.append(shown[position])
    return picked
