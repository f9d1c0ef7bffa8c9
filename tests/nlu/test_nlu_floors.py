"""Quality floors on the held-out splits: a change that breaks understanding fails CI.

Uses the session's trained model (``trained_model`` in tests/conftest.py: the project's config,
domain and data, trained once per fingerprint). The numbers are computed after the fallback, as in
``make eval`` (see tools/nlu_evaluation.py). Three splits: the held-out split in the training data's
style, and two paraphrase splits (A and B) in deliberately different ones (what shoppers who never
saw the training data write).
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest

from tools.nlu_evaluation import HELD_OUT_SPLITS, Scores, score_split

# The targets of the NLU issues (results/nlu/summary.md after `make eval` has the current numbers).
MIN_INTENT_MACRO_F1 = 0.90  # held-out split
MIN_ENTITY_F1 = 0.85  # held-out split (every entity annotated)
MIN_OUT_OF_SCOPE_RECALL = 0.85  # the held-out and paraphrase (A) splits
# Issue 12's target for the paraphrase split is 0.90. The sentence encoder reached 0.915 on the
# intents before the product finder; with the finder's show_more and compare_these (terse references
# to products shown) it fell to 0.896 and stayed just short of 0.90 (0.899 with C=100). The seventh
# round's training data (data/nlu/shopper_shorthand.yml) brought it to 0.929 (339 of 365).
MIN_PARAPHRASE_IN_SCOPE_ACCURACY = 0.90
MAX_PARAPHRASE_FALSE_FALLBACK = 0.08
# Paraphrase split B (written for issue 12's second round before anything else changed). Floors at
# what the model reaches there (0.983 in-scope accuracy, 1.7 % false fallbacks), a little below.
MIN_PARAPHRASE_B_IN_SCOPE_ACCURACY = 0.95
MAX_PARAPHRASE_B_FALSE_FALLBACK = 0.05
# Issue 12's 0.85 on every split: met on split B since the sentence encoder (0.967, 29 of 30).
MIN_PARAPHRASE_B_OUT_OF_SCOPE_RECALL = 0.85


@pytest.fixture(scope="module")
def scores(trained_model: Path) -> Dict[str, Scores]:
    return {split.name: score_split(trained_model, split) for split in HELD_OUT_SPLITS}


def test_held_out_intent_macro_f1_floor(scores: Dict[str, Scores]) -> None:
    held_out = scores["held-out"]
    assert held_out.intent_macro_f1 >= MIN_INTENT_MACRO_F1, held_out.errors


def test_held_out_entity_f1_floor(scores: Dict[str, Scores]) -> None:
    held_out = scores["held-out"]
    assert held_out.entity_f1 >= MIN_ENTITY_F1, held_out.per_entity


@pytest.mark.parametrize("split", ["held-out", "paraphrase"])
def test_out_of_scope_recall_floor(scores: Dict[str, Scores], split: str) -> None:
    missed = [e for e in scores[split].errors if e["intent"] == "out_of_scope"]
    assert scores[split].out_of_scope_recall >= MIN_OUT_OF_SCOPE_RECALL, missed


def test_paraphrase_in_scope_accuracy_floor(scores: Dict[str, Scores]) -> None:
    paraphrase = scores["paraphrase"]
    missed = [e for e in paraphrase.errors if e["intent"] != "out_of_scope"]
    assert paraphrase.in_scope_accuracy >= MIN_PARAPHRASE_IN_SCOPE_ACCURACY, missed


def test_paraphrase_false_fallback_ceiling(scores: Dict[str, Scores]) -> None:
    paraphrase = scores["paraphrase"]
    fallbacks = [e["text"] for e in paraphrase.errors if e["predicted"] == "nlu_fallback"]
    assert paraphrase.false_fallback_rate <= MAX_PARAPHRASE_FALSE_FALLBACK, fallbacks


def test_paraphrase_b_floors(scores: Dict[str, Scores]) -> None:
    split_b = scores["paraphrase-b"]
    missed = split_b.errors
    assert split_b.in_scope_accuracy >= MIN_PARAPHRASE_B_IN_SCOPE_ACCURACY, missed
    assert split_b.false_fallback_rate <= MAX_PARAPHRASE_B_FALSE_FALLBACK, missed
    assert split_b.out_of_scope_recall >= MIN_PARAPHRASE_B_OUT_OF_SCOPE_RECALL, missed
