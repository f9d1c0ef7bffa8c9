"""``make compare``: the chosen pipeline against Rasa's default and a spaCy + scikit-learn one.

Each config is trained on the same ``data/nlu`` and scored on the same held-out splits (the
held-out split and the two paraphrase splits) with the same metrics as ``make eval`` (after the
fallback; entities merged over all extractors). The table goes to
``results/nlu_compare/compare.md`` and is printed.

    python scripts/nlu_compare.py [--out results/nlu_compare] [--only chosen,default]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from nlu_common import ROOT, ensure_blank_spacy_model, markdown_table, train_nlu

from tools.nlu_charts import pipeline_comparison
from tools.nlu_evaluation import HELD_OUT_SPLITS, load_examples, score_split

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
    # Earlier results in the same folder are kept, so one pipeline can be re-run on its own.
    previous = args.out / "compare.json"
    results = json.loads(previous.read_text(encoding="utf-8")) if previous.exists() else {}
    keys = args.only.split(",")
    for number, key in enumerate(keys, start=1):
        label, config = CANDIDATES[key]
        print(f"[{number}/{len(keys)}] {label}: training on data/nlu ...", flush=True)
        model, seconds = train_nlu(config, args.out / "models", key)
        print(f"  trained in {seconds:.0f} s; parsing the held-out splits ...", flush=True)
        scores = {
            split.name: asdict(score_split(model, split, label=f"{key} {split.name}"))
            for split in HELD_OUT_SPLITS
        }
        results[key] = {
            "label": label,
            "config": str(config.relative_to(ROOT)),
            "train_seconds": seconds,
            "scores": scores,
        }
        for name, s in scores.items():
            print(
                f"  {name}: macro-F1 {s['intent_macro_f1']:.3f}, in-scope acc. {s['in_scope_accuracy']:.3f}, "
                f"OOS recall {s['out_of_scope_recall']:.3f}, false fallback {s['false_fallback_rate']:.3f}",
                flush=True,
            )

    names = [split.name for split in HELD_OUT_SPLITS]
    headers = ["pipeline"]
    for name in names:
        headers += [f"{name}: macro-F1", "in-scope acc.", "OOS recall", "false fallback"]
    headers += ["entity F1 (held-out)", "training (s)", "parse (ms/msg)"]
    rows = []
    for result in results.values():
        # Results from before the paraphrase split held one split's scores.
        if set(names) - set(result["scores"]):
            continue
        row = [result["label"]]
        for name in names:
            s = result["scores"][name]
            row += [
                s["intent_macro_f1"],
                s["in_scope_accuracy"],
                s["out_of_scope_recall"],
                s["false_fallback_rate"],
            ]
        held_out = result["scores"][names[0]]
        row += [held_out["entity_f1"], f"{result['train_seconds']:.0f}", f"{held_out['parse_ms_mean']:.1f}"]
        rows.append(row)
    sizes = ", ".join(
        f"`{split.path.relative_to(ROOT)}` ({len(load_examples(split.path))} messages)"
        for split in HELD_OUT_SPLITS
    )
    report = "\n".join(
        [
            "# NLU pipelines compared",
            "",
            f"Same training data (`data/nlu`), same held-out splits ({sizes}). Metrics as in `make eval`; "
            "training is wall-clock on this machine (two shared cores: compare times within one run only).",
            "",
            markdown_table(headers, rows),
            "",
        ]
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "compare.md").write_text(report, encoding="utf-8")
    (args.out / "compare.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    pipeline_comparison(results, names, args.out / "compare.png")
    print(report)


if __name__ == "__main__":
    main()
