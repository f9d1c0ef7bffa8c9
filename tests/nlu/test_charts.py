"""The data scientist's pictures are produced, valid PNGs, from a small real cross-validation run.

Two folds of ``rasa train nlu`` (a count-vector and logistic-regression pipeline) on a few
messages written here; the out-of-fold predictions then go through the same scoring, sweep and
chart code ``make eval``, ``make cv``, ``make compare`` and ``scripts/nlu_sweep.py`` use.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import List, Tuple

import pytest

from tools.nlu_charts import (
    chart_sweep_record,
    confusion_matrix,
    intent_f1_bars,
    is_png,
    pipeline_comparison,
    threshold_curve,
)
from tools.nlu_evaluation import Example, Prediction, score, sweep_thresholds, with_fallback

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
EXAMPLES = {
    "order_status": ["where is my parcel", "has my order shipped", "track my package please",
                     "my delivery is late", "when will my order arrive", "is my box on the way"],
    "return_policy": ["can i send this back", "how do returns work", "what is your return policy",
                      "can i return shoes", "how long do i have to return", "do you take returns"],
    "out_of_scope": ["what is the capital of peru", "tell me a joke", "who won the match",
                     "how tall is a giraffe", "play some music", "what's the weather"],
}  # fmt: skip
CONFIG = """recipe: default.v1
language: en
assistant_id: charts-test
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 2
    max_ngram: 4
  - name: LogisticRegressionClassifier
    max_iter: 200
"""


@pytest.fixture(scope="module")
def out_of_fold(tmp_path_factory: pytest.TempPathFactory) -> Tuple[List[Example], List[Prediction]]:
    sys.path.insert(0, str(SCRIPTS))
    from nlu_cv import cross_validated_predictions

    work = tmp_path_factory.mktemp("charts")
    (work / "config.yml").write_text(CONFIG)
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in EXAMPLES.items():
        lines += [f"- intent: {intent}", "  examples: |", *(f"    - {t}" for t in texts)]
    (work / "nlu.yml").write_text("\n".join(lines) + "\n")
    examples, predictions, _ = cross_validated_predictions(work / "config.yml", 2, 7, nlu=work / "nlu.yml")
    return examples, predictions


def test_every_chart_is_a_valid_png(
    out_of_fold: Tuple[List[Example], List[Prediction]], tmp_path: Path
) -> None:
    examples, predictions = out_of_fold
    assert len(predictions) == 18 and all(p is not None for p in predictions)
    from nlu_sweep import write_record

    scores = score(examples, predictions)
    rows = sweep_thresholds(examples, predictions, [0.2, 0.4, 0.6], [0.0, 0.1])
    write_record(rows, {"folds": 2, "seed": 7, "config": "config.yml", "n_validation": 18,
                        "n_out_of_scope": 6, "train_seconds": 1}, tmp_path / "sweep.md")  # fmt: skip
    final = [with_fallback(p.ranking, 0.4, 0.0) for p in predictions]
    results = {"tiny": {"label": "tiny pipeline", "scores": {"held-out": asdict(scores)}}}

    charts = [
        intent_f1_bars(scores.per_intent, tmp_path / "intent_f1_held-out.png", "F1"),
        chart_sweep_record(tmp_path / "sweep.json", tmp_path / "fallback_threshold.png"),
        confusion_matrix([e.intent for e in examples], final, tmp_path / "confusion.png", "out of fold"),
        pipeline_comparison(results, ["held-out"], tmp_path / "compare.png"),
    ]

    assert [path.name for path in charts if path is not None and is_png(path)] == [
        "intent_f1_held-out.png", "fallback_threshold.png", "confusion.png", "compare.png",
    ]  # fmt: skip
    assert set(scores.per_intent) == set(EXAMPLES)


def test_is_png_refuses_what_is_not_an_image(tmp_path: Path) -> None:
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really")
    assert not is_png(fake)
    assert not is_png(tmp_path / "missing.png")
    assert chart_sweep_record(tmp_path / "missing.json", tmp_path / "x.png") is None


def test_the_threshold_curve_without_a_chosen_pair(tmp_path: Path) -> None:
    rows = [
        {"threshold": t, "ambiguity_threshold": 0.0, "intent_macro_f1": 0.8 - t / 4,
         "in_scope_accuracy": 0.9 - t / 2, "out_of_scope_recall": 0.5 + t / 2, "false_fallback_rate": t / 3}
        for t in (0.2, 0.4, 0.6)
    ]  # fmt: skip
    assert is_png(threshold_curve(rows, tmp_path / "curve.png", None))
