"""storefront.review.leaks: a message that (nearly) copies a held-out example is found, others are not."""

from __future__ import annotations

from pathlib import Path

from storefront.review.leaks import HeldOutExamples, first_copy, held_out, near_copy


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
