"""The held-out splits stay held out: big enough, and never (nearly) copied into training data.

Three splits: ``test_data.yml`` (written in the training data's style), ``paraphrase_data.yml`` and
``paraphrase_b_data.yml``
(written in a deliberately different style: long stories, fragments, typos, indirect requests).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import List, Tuple

import pytest
from rasa.shared.core.constants import DEFAULT_INTENTS
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data

# The labels of the console's review queue are checked with the same rule before they are written.
from storefront.review.leaks import near_copies, near_copy
from storefront.review.leaks import normalise as _normalise

ROOT = Path(__file__).resolve().parents[2]
TRAINING_DATA = ROOT / "data" / "nlu"


@dataclass(frozen=True)
class Split:
    """A held-out split and the size it must keep."""

    path: Path
    min_per_intent: int
    min_out_of_scope: int


SPLITS = {
    "test_data": Split(ROOT / "tests" / "nlu" / "test_data.yml", 15, 60),
    # About 15 % out of scope, as the issue asks.
    "paraphrase": Split(ROOT / "tests" / "nlu" / "paraphrase_data.yml", 12, 45),
    # A second paraphrase split in yet another style, written before issue 12's second round.
    "paraphrase_b": Split(ROOT / "tests" / "nlu" / "paraphrase_b_data.yml", 8, 28),
}


def _examples(path: Path) -> List[Tuple[str, str]]:
    data = load_data(str(path))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


@pytest.fixture(scope="module", params=sorted(SPLITS))
def split(request: pytest.FixtureRequest) -> Split:
    return SPLITS[request.param]


@pytest.fixture(scope="module")
def held_out(split: Split) -> List[Tuple[str, str]]:
    return _examples(split.path)


@pytest.fixture(scope="module")
def training() -> List[Tuple[str, str]]:
    return _examples(TRAINING_DATA)


def test_near_copy_detects_cosmetic_changes() -> None:
    assert near_copy("Where is my order??", "where is my order")
    assert near_copy("can you cancel order #1031 please", "can you cancel order #1032 please")
    assert not near_copy("where is my order", "what is your return policy")
    assert not near_copy("hi", "hi there")


def test_every_intent_has_enough_held_out_examples(split: Split, held_out: List[Tuple[str, str]]) -> None:
    counts = Counter(intent for _, intent in held_out)
    # Rasa's built-in intents (restart, back, session_start, nlu_fallback) are never typed.
    domain_intents = set(Domain.load(str(ROOT / "domain.yml")).intents) - set(DEFAULT_INTENTS) | {
        "out_of_scope"
    }
    assert set(counts) == domain_intents
    too_few = {i: n for i, n in counts.items() if n < split.min_per_intent}
    assert too_few == {}
    assert counts["out_of_scope"] >= split.min_out_of_scope


def test_held_out_texts_are_unique(held_out: List[Tuple[str, str]]) -> None:
    normalised = Counter(_normalise(text) for text, _ in held_out)
    assert [t for t, n in normalised.items() if n > 1] == []


def test_no_held_out_message_is_in_the_training_data(
    held_out: List[Tuple[str, str]], training: List[Tuple[str, str]]
) -> None:
    trained = {_normalise(text) for text, _ in training}
    assert [text for text, _ in held_out if _normalise(text) in trained] == []


def test_no_held_out_message_is_a_near_copy_of_a_training_message(
    held_out: List[Tuple[str, str]], training: List[Tuple[str, str]]
) -> None:
    copies = near_copies([test for test, _ in held_out], [train for train, _ in training])
    assert copies == []


@pytest.mark.parametrize(
    "first, second",
    [("test_data", "paraphrase"), ("test_data", "paraphrase_b"), ("paraphrase", "paraphrase_b")],
)
def test_the_splits_do_not_share_messages(first: str, second: str) -> None:
    one, other = (_examples(SPLITS[name].path) for name in (first, second))
    assert near_copies([a for a, _ in one], [b for b, _ in other]) == []


def test_the_review_queue_checks_labels_against_every_split() -> None:
    from storefront.review.leaks import HELD_OUT_FILES

    assert set(HELD_OUT_FILES) == {split.path for split in SPLITS.values()}
