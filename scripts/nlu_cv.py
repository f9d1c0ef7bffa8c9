"""Cross-validate NLU pipelines on ``data/nlu``: the tool for choosing a pipeline without the test split.

Every message of the training data is predicted once by a model that did not see it (stratified
k folds, each model trained with the pipeline of the given config, its FallbackClassifier removed).
For each config the table shows intent macro-F1 (out-of-scope as one of the classes, a fallback on
an out-of-scope message counted as handled), in-scope accuracy and out-of-scope recall, both
before the fallback and at the config's own FallbackClassifier thresholds, plus training time.
The held-out split in ``tests/nlu`` is never used here: it is scored once, by ``make eval``.

    python scripts/nlu_cv.py [config.yml configs/other.yml ...] [--folds 5] [--seed 42] [--errors DIR]

``--errors DIR`` writes, per config, the messages the out-of-fold model got wrong before the
fallback (``DIR/<config>_errors.md``, most frequent confusions first): where to write new training
examples.

``scripts/nlu_sweep.py`` uses the same out-of-fold predictions to choose the fallback thresholds.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from nlu_common import ROOT, TRAINING_DATA, fallback_from_config, markdown_table, train_nlu

from tools.nlu_charts import confusion_matrix
from tools.nlu_evaluation import (
    Example,
    Prediction,
    false_fallback_rate,
    predict,
    score_intents,
    with_fallback,
)


def cross_validated_predictions(
    config: Path, folds: int = 5, seed: int = 42, nlu: Path = TRAINING_DATA
) -> Tuple[List[Example], List[Prediction], float]:
    """Out-of-fold predictions (fallback removed) for every message, and the mean training time."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from rasa.shared.utils.io import read_yaml_file, write_yaml
    from sklearn.model_selection import StratifiedKFold

    data = load_data(str(nlu))
    messages = data.intent_examples
    intents = [m.get("intent") for m in messages]
    work = Path(tempfile.mkdtemp(prefix="nlu_cv_"))
    pipeline = read_yaml_file(str(config))
    pipeline["pipeline"] = [c for c in pipeline["pipeline"] if c.get("name") != "FallbackClassifier"]
    pipeline.pop("policies", None)
    write_yaml(pipeline, work / "config.yml")
    predicted: List[Prediction] = [None] * len(messages)  # type: ignore[list-item]
    seconds = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    try:
        for fold, (train_idx, test_idx) in enumerate(splitter.split(messages, intents), start=1):
            train = TrainingData(
                training_examples=[messages[i] for i in train_idx],
                entity_synonyms=data.entity_synonyms,
                regex_features=data.regex_features,
                lookup_tables=data.lookup_tables,
            )
            RasaYAMLWriter().dump(work / "train.yml", train)
            print(f"  {config.name}: fold {fold}/{folds}, training on {len(train_idx)} ...", flush=True)
            model, took = train_nlu(
                work / "config.yml", work / "model", f"fold{fold}", nlu=work / "train.yml"
            )
            seconds.append(took)
            texts = [messages[i].get("text") for i in test_idx]
            for i, prediction in zip(test_idx, predict(model, texts, label=f"fold {fold}"), strict=True):
                predicted[i] = prediction
            done = sum(p is not None for p in predicted)
            print(
                f"  {config.name}: fold {fold}/{folds} trained in {took:.0f} s, {len(texts)} messages "
                f"parsed ({done}/{len(messages)} predicted)",
                flush=True,
            )
            model.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    examples = [Example(m.get("text"), m.get("intent"), ()) for m in messages]
    return examples, predicted, sum(seconds) / len(seconds)


def intent_scores(
    examples: Sequence[Example], predictions: Sequence[Prediction], threshold: float, ambiguity: float
) -> Tuple[float, float, float, float]:
    """Macro-F1, in-scope accuracy, out-of-scope recall and false-fallback rate at the given thresholds."""
    final = [with_fallback(p.ranking, threshold, ambiguity) for p in predictions]
    gold = [e.intent for e in examples]
    macro, accuracy, oos_recall, _ = score_intents(gold, final)
    return macro, accuracy, oos_recall, false_fallback_rate(gold, final)


def write_errors(path: Path, examples: Sequence[Example], predictions: Sequence[Prediction]) -> None:
    """The misclassified messages (before the fallback), grouped by confusion, largest group first."""
    groups: Dict[Tuple[str, str], List[Tuple[str, float]]] = defaultdict(list)
    for example, prediction in zip(examples, predictions, strict=True):
        if example.intent != prediction.intent:
            groups[(example.intent, prediction.intent)].append((example.text, prediction.confidence))
    lines = [f"# Out-of-fold errors ({sum(len(g) for g in groups.values())} of {len(examples)})", ""]
    for (true, predicted), texts in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines += [f"## {true} -> {predicted} ({len(texts)})", ""]
        lines += [f"- {text} ({confidence:.2f})" for text, confidence in sorted(texts)]
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    print(f"  wrote {path}", flush=True)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("configs", nargs="*", type=Path, default=[ROOT / "config.yml"])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--errors", type=Path, help="folder for the misclassified messages of each config")
    args = parser.parse_args()

    rows = []
    started = time.perf_counter()
    for number, config in enumerate(args.configs, start=1):
        print(f"[{number}/{len(args.configs)}] {config.name}: {args.folds}-fold cross-validation", flush=True)
        examples, predictions, seconds = cross_validated_predictions(config, args.folds, args.seed)
        if args.errors:
            write_errors(args.errors / f"{config.stem}_errors.md", examples, predictions)
        fallback = fallback_from_config(config) or {"threshold": 0.0, "ambiguity_threshold": 0.0}
        if args.errors:
            final = [
                with_fallback(p.ranking, fallback["threshold"], fallback["ambiguity_threshold"])
                for p in predictions
            ]
            confusion_matrix(
                [e.intent for e in examples], final, args.errors / f"{config.stem}_confusion.png",
                f"{config.name}: out-of-fold intents after the fallback ({args.folds} folds)",
            )  # fmt: skip
        before = intent_scores(examples, predictions, 0.0, 0.0)[:3]
        after = intent_scores(examples, predictions, fallback["threshold"], fallback["ambiguity_threshold"])
        rows.append(
            [
                config.name,
                *before,
                f"{fallback['threshold']}/{fallback['ambiguity_threshold']}",
                *after,
                round(seconds),
            ]
        )
    n = len(examples)
    print(
        f"\n{args.folds}-fold cross-validation on data/nlu ({n} messages, seed {args.seed}), "
        f"{time.perf_counter() - started:.0f} s\n"
    )
    print(
        markdown_table(
            ["config", "macro-F1", "in-scope acc.", "OOS recall", "fallback", "macro-F1 after",
             "in-scope acc. after", "OOS recall after", "false fallback", "train (s)"],
            rows,
        )
    )  # fmt: skip


if __name__ == "__main__":
    main()
