"""``make eval``: score the NLU model on the held-out splits (tests/nlu/test_data.yml, paraphrase_data.yml,
paraphrase_b_data.yml).

Uses the project's current model (``tools.modelcache``: trained only if config, domain, data
or catalog changed) unless ``--model`` is given, or ``--train-nlu`` trains an NLU-only model from
``--config`` (for trying another pipeline). Runs
``rasa test nlu`` on each split (intent and entity reports, confusion matrix, confidence
histogram), then parses the splits itself to score what the dialogue sees after the fallback, and
writes ``summary.md`` (the splits side by side, then each in detail; also printed) to the results
folder.

    python scripts/nlu_eval.py [--model models/x.tar.gz | --train-nlu --config c.yml] [--out results/nlu]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Dict, List, Optional

from nlu_common import ROOT, fallback_from_config, markdown_table, rasa_test_nlu, train_nlu

from tools.nlu_charts import chart_sweep_record, intent_f1_bars
from tools.nlu_evaluation import HELD_OUT_SPLITS, HeldOutSplit, Scores, load_examples, predict, score


def headline_rows(scores: Dict[str, Scores]) -> List[List[object]]:
    """The headline metrics, one column per split."""
    metrics = [
        ("intent macro-F1 (after fallback)", lambda s: s.intent_macro_f1),
        ("in-scope accuracy", lambda s: s.in_scope_accuracy),
        ("out-of-scope recall (out_of_scope or nlu_fallback)", lambda s: s.out_of_scope_recall),
        ("false-fallback rate (in-scope sent to nlu_fallback)", lambda s: s.false_fallback_rate),
        ("entity F1 (exact spans, all extractors)", lambda s: s.entity_f1),
        ("messages (out of scope)", lambda s: f"{s.n_examples} ({s.n_out_of_scope})"),
        (
            "parse time per message, mean / p95 (ms)",
            lambda s: f"{s.parse_ms_mean:.1f} / {s.parse_ms_p95:.1f}",
        ),
    ]
    return [[label, *(value(s) for s in scores.values())] for label, value in metrics]


def split_markdown(split: HeldOutSplit, scores: Scores) -> List[str]:
    """One split in detail: per intent, per entity, the misclassified messages."""
    entities = "every entity" if split.entity_types is None else ", ".join(sorted(split.entity_types))
    return [
        f"## {split.name}: `{split.path.relative_to(ROOT)}`",
        "",
        f"{split.description}. Entities scored: {entities}.",
        "",
        "### Intents",
        "",
        markdown_table(
            ["intent", "precision", "recall", "F1", "n"],
            [[k, v["precision"], v["recall"], v["f1"], v["support"]] for k, v in scores.per_intent.items()],
        ),
        "",
        "### Entities",
        "",
        markdown_table(
            ["entity", "precision", "recall", "F1", "n"],
            [[k, v["precision"], v["recall"], v["f1"], v["support"]] for k, v in scores.per_entity.items()],
        ),
        "",
        f"### Misclassified ({len(scores.errors)})",
        "",
        markdown_table(
            ["text", "true", "predicted", "confidence"],
            [[e["text"], e["intent"], e["predicted"], e["confidence"]] for e in scores.errors],
        ),
        "",
    ]


def summary_markdown(
    scores: Dict[str, Scores],
    *,
    config: Path,
    model: Path,
    train_seconds: Optional[float],
    rasa_report: Optional[Path],
) -> str:
    """The summary: the splits side by side, then each split in detail."""
    fallback = fallback_from_config(config) or {}
    lines = [
        "# NLU evaluation on the held-out splits",
        "",
        f"- config: `{config.relative_to(ROOT) if config.is_relative_to(ROOT) else config}`, "
        f"model: `{model.name}`"
        + (f", training time {train_seconds:.0f} s" if train_seconds is not None else ""),
        "- splits: never trained on (`tests/nlu/test_split.py` fails on copies in `data/nlu`)",
        f"- FallbackClassifier: threshold {fallback.get('threshold')}, ambiguity "
        f"{fallback.get('ambiguity_threshold')} (chosen by cross-validation on data/nlu, "
        "see `configs/fallback_sweep.md`)",
        "",
        markdown_table(["metric", *scores], headline_rows(scores)),
        "",
    ]
    for split in HELD_OUT_SPLITS:
        if split.name in scores:
            lines += split_markdown(split, scores[split.name])
    if rasa_report is not None:
        lines += [
            f"Rasa's reports per split (intent_report.json, intent_confusion_matrix.png, "
            f"intent_histogram.png, <extractor>_report.json): `{rasa_report}/<split>`. Rasa scores "
            f"intents before the fallback and each extractor against all entities, so its numbers "
            f"differ from the ones above.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--model", type=Path, help="trained model; default: the project's current model")
    parser.add_argument("--train-nlu", action="store_true", help="train an NLU-only model from --config")
    parser.add_argument(
        "--split", action="append", choices=[s.name for s in HELD_OUT_SPLITS], help="default: every split"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "nlu")
    parser.add_argument("--skip-rasa-test", action="store_true", help="only the summary, no rasa test nlu")
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    train_seconds = None
    model = args.model
    if args.train_nlu:
        print(f"training {args.config.name} ...", flush=True)
        model, train_seconds = train_nlu(args.config.resolve(), args.out / "model", "nlu")
    elif model is None:
        from tools.modelcache import ensure_model

        model = ensure_model()
    splits = [s for s in HELD_OUT_SPLITS if not args.split or s.name in args.split]
    report_dir = None if args.skip_rasa_test else args.out / "rasa_report"
    scores: Dict[str, Scores] = {}
    for split in splits:
        if report_dir is not None:
            print(f"rasa test nlu on {split.name} ...", flush=True)
            rasa_test_nlu(model, report_dir / split.name, split.path)
        examples = load_examples(split.path)
        started = time.perf_counter()
        predictions = predict(model, [e.text for e in examples], label=split.name)
        print(f"parsed {len(examples)} messages in {time.perf_counter() - started:.1f} s", flush=True)
        scores[split.name] = score(examples, predictions, entity_types=split.entity_types)
    summary = summary_markdown(
        scores, config=args.config.resolve(), model=model, train_seconds=train_seconds, rasa_report=report_dir
    )
    (args.out / "summary.md").write_text(summary, encoding="utf-8")
    (args.out / "scores.json").write_text(
        json.dumps({name: asdict(s) for name, s in scores.items()}, indent=2), encoding="utf-8"
    )
    for name, split_scores in scores.items():
        intent_f1_bars(
            split_scores.per_intent,
            args.out / f"intent_f1_{name}.png",
            f"Intent F1 after the fallback: {name}",
        )
    chart_sweep_record(ROOT / "configs" / "fallback_sweep.json", args.out / "fallback_threshold.png")
    print(summary)


if __name__ == "__main__":
    main()
