"""``make compare``: the chosen pipeline against Rasa's default and a spaCy + scikit-learn one.

Each config is trained on the same ``data/nlu`` and scored on the same held-out split with the
same metrics as ``make eval`` (after the fallback; entities merged over all extractors). The table
goes to ``results/nlu_compare/compare.md`` and is printed.

    python scripts/nlu_compare.py [--out results/nlu_compare] [--only chosen,default]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from nlu_common import ROOT, TEST_SPLIT, ensure_blank_spacy_model, markdown_table, train_nlu

from tools.nlu_evaluation import load_examples, predict, score

CANDIDATES = {
    "chosen": ("config.yml (chosen)", ROOT / "config.yml"),
    "default": ("Rasa default (rasa init)", ROOT / "configs" / "default_pipeline.yml"),
    "spacy_sklearn": ("spaCy + scikit-learn", ROOT / "configs" / "spacy_sklearn.yml"),
    "diet": ("DIET, 50 epochs (earlier choice)", ROOT / "configs" / "diet.yml"),
    "lr_counts": ("Rasa's logistic regression on counts + CRF", ROOT / "configs" / "lr_counts.yml"),
    "no_normalizer": ("config.yml without the catalog normaliser", ROOT / "configs" / "no_normalizer.yml"),
}


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "nlu_compare")
    parser.add_argument(
        "--only", default=",".join(CANDIDATES), help="comma-separated: " + ", ".join(CANDIDATES)
    )
    args = parser.parse_args()

    ensure_blank_spacy_model()
    examples = load_examples(TEST_SPLIT)
    # Earlier results in the same folder are kept, so one pipeline can be re-run on its own.
    previous = args.out / "compare.json"
    results = json.loads(previous.read_text(encoding="utf-8")) if previous.exists() else {}
    keys = args.only.split(",")
    for number, key in enumerate(keys, start=1):
        label, config = CANDIDATES[key]
        print(f"[{number}/{len(keys)}] {label}: training on data/nlu ...", flush=True)
        model, seconds = train_nlu(config, args.out / "models", key)
        print(f"  trained in {seconds:.0f} s; parsing the {len(examples)} held-out messages ...", flush=True)
        scores = score(examples, predict(model, [e.text for e in examples], label=key))
        results[key] = {
            "label": label,
            "config": str(config.relative_to(ROOT)),
            "train_seconds": seconds,
            "scores": asdict(scores),
        }
        print(
            f"  macro-F1 {scores.intent_macro_f1:.3f}, entity F1 {scores.entity_f1:.3f}, "
            f"OOS recall {scores.out_of_scope_recall:.3f}",
            flush=True,
        )

    rows = []
    for result in results.values():
        s = result["scores"]
        rows.append(
            [
                result["label"],
                s["intent_macro_f1"],
                s["entity_f1"],
                s["out_of_scope_recall"],
                s["in_scope_accuracy"],
                f"{result['train_seconds']:.0f}",
                f"{s['parse_ms_mean']:.1f}",
            ]
        )
    table = markdown_table(
        [
            "pipeline",
            "intent macro-F1",
            "entity F1",
            "OOS recall",
            "in-scope acc.",
            "training (s)",
            "parse (ms/msg)",
        ],
        rows,
    )
    report = "\n".join(
        [
            "# NLU pipelines compared",
            "",
            f"Same training data (`data/nlu`), same held-out split (`tests/nlu/test_data.yml`, "
            f"{len(examples)} messages). Metrics as in `make eval`; training is wall-clock on this machine "
            "(two shared cores, so compare times within one run only).",
            "",
            table,
            "",
        ]
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "compare.md").write_text(report, encoding="utf-8")
    (args.out / "compare.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
