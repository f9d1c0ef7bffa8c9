"""The data scientist's pictures of the NLU: PNG charts beside the numbers ``make eval``, ``make cv``
and ``make compare`` write, drawn with matplotlib's Agg backend (no display needed).

* :func:`intent_f1_bars`: per-intent F1 of one split (``results/nlu/intent_f1_<split>.png``);
* :func:`threshold_curve`: the FallbackClassifier sweep (``configs/fallback_sweep.json``) as curves
  over the threshold, the chosen one marked (``results/nlu/fallback_threshold.png``);
* :func:`confusion_matrix`: out-of-fold predictions after the fallback
  (``results/nlu_cv/<config>_confusion.png``);
* :func:`pipeline_comparison`: macro-F1 and out-of-scope recall of each pipeline on each split
  (``results/nlu_compare/compare.png``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CURVES = (
    ("intent_macro_f1", "macro-F1"),
    ("in_scope_accuracy", "in-scope accuracy"),
    ("out_of_scope_recall", "out-of-scope recall"),
    ("false_fallback_rate", "false-fallback rate"),
)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(figure: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    _pyplot().close(figure)
    return path


def intent_f1_bars(per_intent: Mapping[str, Mapping[str, float]], path: Path, title: str) -> Path:
    """Horizontal bars of each intent's F1 (lowest at the top), with its support."""
    plt = _pyplot()
    ranked = sorted(per_intent.items(), key=lambda item: (item[1]["f1"], item[0]))
    figure, axes = plt.subplots(figsize=(8, 0.3 * len(ranked) + 1.5))
    names = [f"{name} ({int(scores.get('support', 0))})" for name, scores in ranked]
    values = [scores["f1"] for _, scores in ranked]
    axes.barh(names, values, color=["#c0392b" if v < 0.7 else "#2e86c1" for v in values])
    axes.set_xlim(0, 1)
    axes.set_xlabel("F1 (support in brackets)")
    axes.set_title(title)
    axes.invert_yaxis()
    return _save(figure, path)


def threshold_curve(
    rows: Sequence[Mapping[str, float]], path: Path, chosen: Optional[Mapping[str, float]]
) -> Path:
    """The sweep's scores over the threshold, at the chosen pair's ambiguity threshold."""
    plt = _pyplot()
    ambiguity = chosen["ambiguity_threshold"] if chosen else min(r["ambiguity_threshold"] for r in rows)
    line = sorted((r for r in rows if r["ambiguity_threshold"] == ambiguity), key=lambda r: r["threshold"])
    figure, axes = plt.subplots(figsize=(8, 5))
    thresholds = [r["threshold"] for r in line]
    for key, label in _CURVES:
        if all(key in r for r in line):
            axes.plot(thresholds, [r[key] for r in line], marker="o", markersize=3, label=label)
    if chosen:
        axes.axvline(chosen["threshold"], color="grey", linestyle="--", label=f"chosen {chosen['threshold']}")
    axes.set_xlabel(f"FallbackClassifier threshold (ambiguity threshold {ambiguity})")
    axes.set_ylim(0, 1.02)
    axes.set_title("Fallback threshold sweep (out-of-fold predictions)")
    axes.legend(loc="lower left")
    axes.grid(alpha=0.3)
    return _save(figure, path)


def confusion_matrix(gold: Sequence[str], predicted: Sequence[str], path: Path, title: str) -> Path:
    """True intents (rows) against predicted ones (columns): counts, coloured by share of the row."""
    plt = _pyplot()
    labels = sorted(set(gold) | set(predicted))
    index = {label: i for i, label in enumerate(labels)}
    counts: List[List[int]] = [[0] * len(labels) for _ in labels]
    for true, guess in zip(gold, predicted, strict=True):
        counts[index[true]][index[guess]] += 1
    shares = [[c / max(1, sum(row)) for c in row] for row in counts]
    size = 0.38 * len(labels) + 3
    figure, axes = plt.subplots(figsize=(size + 1.5, size))
    image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    axes.set_xticks(range(len(labels)), labels, rotation=90)
    axes.set_yticks(range(len(labels)), labels)
    for row, values in enumerate(counts):
        for column, count in enumerate(values):
            if count:
                white = shares[row][column] > 0.6
                axes.text(
                    column,
                    row,
                    count,
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if white else "black",
                )
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(title)
    figure.colorbar(image, ax=axes, fraction=0.04, label="share of the true intent")
    return _save(figure, path)


def pipeline_comparison(results: Mapping[str, Mapping[str, Any]], splits: Sequence[str], path: Path) -> Path:
    """Grouped bars: macro-F1 and out-of-scope recall of each pipeline on each split."""
    plt = _pyplot()
    pipelines = [r for r in results.values() if not set(splits) - set(r["scores"])]
    figure, panels = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    width = 0.8 / max(1, len(pipelines))
    for axes, (key, label) in zip(panels, (_CURVES[0], _CURVES[2]), strict=True):
        for number, result in enumerate(pipelines):
            values = [result["scores"][split][key] for split in splits]
            axes.bar([i + number * width for i in range(len(splits))], values, width, label=result["label"])
        axes.set_xticks([i + width * (len(pipelines) - 1) / 2 for i in range(len(splits))], splits)
        axes.set_ylim(0, 1)
        axes.set_title(label)
        axes.grid(axis="y", alpha=0.3)
    panels[0].legend(loc="lower left", fontsize=8)
    figure.suptitle("NLU pipelines on the held-out splits")
    return _save(figure, path)


def is_png(path: Path) -> bool:
    """Whether ``path`` is a PNG image matplotlib can read back (signature and a decodable image)."""
    if not path.is_file() or path.read_bytes()[:8] != PNG_SIGNATURE:
        return False
    from matplotlib import image

    try:
        pixels = image.imread(str(path))
    except (OSError, ValueError, SyntaxError):
        return False
    return pixels.ndim == 3 and pixels.shape[0] > 10 and pixels.shape[1] > 10


def chart_sweep_record(record: Path, path: Path) -> Optional[Path]:
    """:func:`threshold_curve` of a sweep record (``configs/fallback_sweep.json``), if it exists."""
    import json

    if not record.exists():
        return None
    sweep: Dict[str, Any] = json.loads(record.read_text(encoding="utf-8"))
    return threshold_curve(sweep["rows"], path, sweep.get("best"))
