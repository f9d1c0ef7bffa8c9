"""The held-out splits stay held out: a labelled message that (nearly) equals a held-out one is refused.

:func:`near_copy` is the rule ``tests/nlu/test_split.py`` applies between the training data and the
splits, so a label accepted here never turns that test red.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from core.settings import PROJECT_ROOT

HELD_OUT_FILES: Tuple[Path, ...] = tuple(
    PROJECT_ROOT / "tests" / "nlu" / name
    for name in ("test_data.yml", "paraphrase_data.yml", "paraphrase_b_data.yml")
)
# Two messages of three or more words are near copies when their word sets overlap this much or
# their characters align this well.
MAX_JACCARD = 0.8
MAX_RATIO = 0.9


def normalise(text: str) -> str:
    """Lower case, punctuation other than ``#@.+'-`` dropped, apostrophes removed, single spaces."""
    return " ".join(re.findall(r"[a-z0-9#@.+'-]+", text.lower())).replace("'", "")


class Text:
    """A message prepared once for many comparisons: its normal form and its set of words."""

    __slots__ = ("normal", "text", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.normal = normalise(text)
        self.words = frozenset(self.normal.split())


def near_copy(a: str, b: str) -> bool:
    """Whether two messages are the same message with cosmetic changes."""
    return _near(Text(a), Text(b))


def _near(a: Text, b: Text) -> bool:
    if a.normal == b.normal:
        return True
    fewer, more = sorted((len(a.words), len(b.words)))
    if fewer < 3:
        return False
    # Upper bounds from the sizes alone skip the set operations and the alignment for the vast
    # majority of pairs: the overlap is at most fewer / more words, and the alignment's ratio at
    # most ``SequenceMatcher.real_quick_ratio``'s, which needs only the lengths.
    shorter, longer = sorted((len(a.normal), len(b.normal)))
    aligns = 2.0 * shorter / (shorter + longer) >= MAX_RATIO
    if not aligns and fewer / more < MAX_JACCARD:
        return False
    jaccard = len(a.words & b.words) / len(a.words | b.words)
    if jaccard >= MAX_JACCARD:
        return True
    if not aligns:
        return False
    matcher = SequenceMatcher(None, a.normal, b.normal)
    return matcher.quick_ratio() >= MAX_RATIO and matcher.ratio() >= MAX_RATIO


def near_copies(texts: Iterable[str], others: Iterable[str]) -> List[Tuple[str, str]]:
    """Every ``(text, other)`` pair that :func:`near_copy` calls near copies, in the order of
    ``texts`` then ``others``; each message is normalised once, not once per pair."""
    prepared = [Text(other) for other in others]
    return [(text.text, other.text) for text in map(Text, texts) for other in prepared if _near(text, other)]


@dataclass(frozen=True)
class Leak:
    """The held-out example a message copies, and the split file it is in."""

    example: str
    split: Path

    def explain(self) -> str:
        """The refusal a designer reads."""
        where = (
            self.split.relative_to(PROJECT_ROOT) if self.split.is_relative_to(PROJECT_ROOT) else self.split
        )
        return (
            f"Not added: it (nearly) equals the held-out example {self.example!r} in {where}. "
            "Training on it would leak the test into the training data; label it 'ignore' instead."
        )


class HeldOutExamples:
    """The texts of the held-out splits, read once (Rasa's loader strips the entity annotations)."""

    def __init__(self, files: Sequence[Path] = HELD_OUT_FILES) -> None:
        self.files = tuple(files)
        self._examples: Optional[List[Tuple[Text, Path]]] = None

    def examples(self) -> List[Tuple[Text, Path]]:
        """Each held-out example, prepared for comparison, and its split file."""
        if self._examples is None:
            from rasa.shared.nlu.training_data.loading import load_data

            self._examples = [
                (Text(message.get("text")), path)
                for path in self.files
                if path.exists()
                for message in load_data(str(path)).intent_examples
            ]
        return self._examples

    def leak(self, text: str) -> Optional[Leak]:
        """The first held-out example ``text`` nearly copies, else None."""
        message = Text(text)
        for example, path in self.examples():
            if _near(message, example):
                return Leak(example.text, path)
        return None


def first_copy(text: str, texts: Iterable[str]) -> Optional[str]:
    """The first of ``texts`` that ``text`` nearly copies (labels already given), else None."""
    message = Text(text)
    return next((other for other in texts if _near(message, Text(other))), None)


_shared: Dict[Tuple[Path, ...], HeldOutExamples] = {}


def held_out(files: Sequence[Path] = HELD_OUT_FILES) -> HeldOutExamples:
    """One :class:`HeldOutExamples` per set of files for the process."""
    key = tuple(files)
    if key not in _shared:
        _shared[key] = HeldOutExamples(key)
    return _shared[key]
