"""storefront.review.leaks: a message that (nearly) copies a held-out example is found, others are not."""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

from storefront.review.leaks import (
    MAX_JACCARD,
    MAX_RATIO,
    HeldOutExamples,
    first_copy,
    held_out,
    near_copies,
    near_copy,
    normalise,
)


def _split(tmp_path: Path) -> Path:
    path = tmp_path / "split.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- intent: order_status\n  examples: |\n'
        "    - hey where's order [#1064](order_number) at\n"
        "    - my tracking hasn't updated since tuesday\n"
    )
    return path


def test_an_equal_or_nearly_equal_message_leaks(tmp_path: Path) -> None:
    examples = HeldOutExamples([_split(tmp_path)])
    leak = examples.leak("Hey, where's order #1234 at?")
    assert leak is not None and leak.example == "hey where's order #1064 at"
    assert "held-out example" in leak.explain() and "split.yml" in leak.explain()
    assert examples.leak("my tracking hasnt updated since Tuesday!!") is not None


def test_a_different_message_does_not_leak(tmp_path: Path) -> None:
    examples = HeldOutExamples([_split(tmp_path)])
    assert examples.leak("do you sell gift cards") is None
    assert examples.leak("where is my order") is None


def test_the_project_splits_are_read() -> None:
    leak = held_out().leak("any news on my parcel")  # an example of tests/nlu/test_data.yml
    assert leak is not None and leak.split.name == "test_data.yml"


def test_near_copy_and_first_copy() -> None:
    assert near_copy("can you cancel order #1031 please", "can you cancel order #1032 please")
    assert not near_copy("hi", "hi there")
    assert first_copy("gift cards?", ["where is my order", "Gift cards"]) == "Gift cards"
    assert first_copy("gift cards?", ["where is my order"]) is None


def _near_by_the_rule(a: str, b: str) -> bool:
    """The rule written out in full, with no shortcut: equal normal forms, or three words or more
    each and the word sets' overlap or the characters' alignment high enough."""
    a, b = normalise(a), normalise(b)
    if a == b:
        return True
    words_a, words_b = set(a.split()), set(b.split())
    if min(len(words_a), len(words_b)) < 3:
        return False
    overlap = len(words_a & words_b) / len(words_a | words_b)
    return overlap >= MAX_JACCARD or SequenceMatcher(None, a, b).ratio() >= MAX_RATIO


MESSAGES = [
    "where is my order",
    "Where is my order??",
    "where is the order",
    "where is my order now please",
    "order my is where",  # the same words: the overlap decides
    "where is my order supercalifragilisticexpialidocious",  # overlap 0.8 with the first, lengths far apart
    "can you cancel order #1031 please",
    "can you cancel order #1032 please",  # one character apart: the alignment decides
    "can you please cancel my order #1031 today",
    "hi",
    "Hi!",
    "hi there",
    "what is your return policy for sale items",
    "what is your returns policy for sale items",
    "what is your return policy",
    "do you ship to canada",
    "do u ship to canada",
]


def test_near_copies_finds_exactly_the_pairs_the_rule_finds() -> None:
    expected = [(a, b) for a in MESSAGES for b in MESSAGES if _near_by_the_rule(a, b)]
    assert near_copies(MESSAGES, MESSAGES) == expected
    assert [(a, b) for a in MESSAGES for b in MESSAGES if near_copy(a, b)] == expected
    assert len(expected) > len(MESSAGES)  # more than each message with itself
