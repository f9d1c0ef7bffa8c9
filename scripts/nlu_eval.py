"""``make eval``: score the NLU model on the held-out split (tests/nlu/test_data.yml).

Uses the project's current model (``tools.modelcache``: trained only if config, domain, data
or catalog changed) unless ``--model`` is given, or ``--train-nlu`` trains an NLU-only model from
``--config`` (for trying another pipeline). Runs
``rasa test nlu`` (intent and entity reports, confusion matrix, confidence histogram), then parses
the split itself to score what the dialogue sees after the fallback, and writes a one-page
``summary.md`` (also printed) to the results folder.

    python scripts/nlu_eval.py [--model models/x.tar.gz | --train-nlu --config c.yml] [--out results/nlu]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Optional

from nlu_common import ROOT, TEST_SPLIT, fallback_from_config, markdown_table, rasa_test_nlu, train_nlu

from tools.nlu_evaluation import Scores, load_examples, predict, score


def summary_markdown(
    scores: Scores, *, config: Path, model: Path, train_seconds: Optional[float], rasa_report: Optional[Path]
) -> str:
    """The one-page summary."""
    fallback = fallback_from_config(config) or {}
    lines = [
        "# NLU evaluation on the held-out split",
        "",
        f"- config: `{config.relative_to(ROOT) if config.is_relative_to(ROOT) else config}`, "
        f"model: `{model.name}`"
        + (f", training time {train_seconds:.0f} s" if train_seconds is not None else ""),
        f"- held-out split: {scores.n_examples} messages ({scores.n_out_of_scope} out of scope), "
        f"never trained on (`tests/nlu/test_data.yml`)",
        f"- FallbackClassifier: threshold {fallback.get('threshold')}, ambiguity "
        f"{fallback.get('ambiguity_threshold')} (chosen by cross-validation on data/nlu, "
        "see `configs/fallback_sweep.md`)",
        "",
        markdown_table(
            ["metric", "value"],
            [
                ["intent macro-F1 (after fallback)", scores.intent_macro_f1],
                ["in-scope accuracy", scores.in_scope_accuracy],
                ["out-of-scope recall (out_of_scope or nlu_fallback)", scores.out_of_scope_recall],
                ["entity F1 (exact spans, all extractors)", scores.entity_f1],
                ["entity precision / recall", f"{scores.entity_precision:.3f} / {scores.entity_recall:.3f}"],
                [
                    "parse time per message, mean / p95 (ms)",
                    f"{scores.parse_ms_mean:.1f} / {scores.parse_ms_p95:.1f}",
                ],
            ],
        ),
        "",
        "## Intents",
        "",
        markdown_table(
            ["intent", "precision", "recall", "F1", "n"],
            [[k, v["precision"], v["recall"], v["f1"], v["support"]] for k, v in scores.per_intent.items()],
        ),
        "",
        "## Entities",
        "",
        markdown_table(
            ["entity", "precision", "recall", "F1", "n"],
            [[k, v["precision"], v["recall"], v["f1"], v["support"]] for k, v in scores.per_entity.items()],
        ),
        "",
        f"## Misclassified ({len(scores.errors)})",
        "",
        markdown_table(
            ["text", "true", "predicted", "confidence"],
            [[e["text"], e["intent"], e["predicted"], e["confidence"]] for e in scores.errors],
        ),
    ]
    if rasa_report is not None:
        lines += [
            "",
            f"Rasa's reports (intent_report.json, intent_confusion_matrix.png, intent_histogram.png, "
            f"<extractor>_report.json): `{rasa_report}`. Rasa scores intents before the fallback and "
            f"each extractor against all entities, so its numbers differ from the ones above.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--model", type=Path, help="trained model; default: the project's current model")
    parser.add_argument("--train-nlu", action="store_true", help="train an NLU-only model from --config")
    parser.add_argument("--test", type=Path, default=TEST_SPLIT)
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
    report_dir = None
    if not args.skip_rasa_test:
        print("rasa test nlu ...", flush=True)
        report_dir = args.out / "rasa_report"
        rasa_test_nlu(model, report_dir, args.test)
    examples = load_examples(args.test)
    started = time.perf_counter()
    predictions = predict(model, [e.text for e in examples])
    print(f"parsed {len(examples)} messages in {time.perf_counter() - started:.1f} s", flush=True)
    scores = score(examples, predictions)
    summary = summary_markdown(
        scores, config=args.config.resolve(), model=model, train_seconds=train_seconds, rasa_report=report_dir
    )
    (args.out / "summary.md").write_text(summary, encoding="utf-8")
    (args.out / "scores.json").write_text(json.dumps(asdict(scores), indent=2), encoding="utf-8")
    print(summary)


if __name__ == "__main__":
    main()
