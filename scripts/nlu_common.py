"""Helpers shared by the NLU scripts: training, ``rasa test nlu`` and the markdown tables."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RASA = str(Path(sys.executable).with_name("rasa"))
TRAINING_DATA = ROOT / "data" / "nlu"
DOMAIN = ROOT / "domain.yml"
SPACY_BLANK_MODEL = ROOT / "var" / "spacy_blank_en"


def rasa_env() -> Dict[str, str]:
    """Environment for Rasa subprocesses: the project importable, TensorFlow quiet."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    return env


def run(args: Sequence[str], log: Path, label: str) -> None:
    """Run a command with its output in ``log``, saying how it goes; raise with the log's tail if it fails."""
    from tools.progress import run_logged

    code = run_logged(args, log, label, cwd=ROOT, env=rasa_env())
    if code != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-25:])
        raise SystemExit(f"command failed ({code}): {' '.join(args)}\n--- {log} ---\n{tail}")


def ensure_blank_spacy_model() -> Path:
    """Save spaCy's blank English pipeline (+ lookup lemmatizer) for ``SpacyNLP``.

    No pretrained English pipeline can be installed here, so the spaCy pipeline in the comparison
    loads this one from disk: it tokenises and lemmatises but has no word vectors.
    """
    if not (SPACY_BLANK_MODEL / "config.cfg").exists():
        import spacy

        nlp = spacy.blank("en")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        nlp.to_disk(SPACY_BLANK_MODEL)
    return SPACY_BLANK_MODEL


def train_nlu(config: Path, out_dir: Path, name: str, nlu: Path = TRAINING_DATA) -> tuple[Path, float]:
    """``rasa train nlu``; returns the model path and the wall-clock training time in seconds."""
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    run(
        [
            RASA,
            "train",
            "nlu",
            "--config",
            str(config),
            "--nlu",
            str(nlu),
            "--domain",
            str(DOMAIN),
            "--out",
            str(out_dir),
            "--fixed-model-name",
            name,
        ],
        out_dir / f"train_{name}.log",
        f"training {name}",
    )
    return out_dir / f"{name}.tar.gz", time.perf_counter() - started


def rasa_test_nlu(model: Path, out_dir: Path, test: Path) -> None:
    """``rasa test nlu`` on a held-out split: reports, confusion matrix and histogram PNGs."""
    run(
        [
            RASA,
            "test",
            "nlu",
            "--model",
            str(model),
            "--nlu",
            str(test),
            "--domain",
            str(DOMAIN),
            "--out",
            str(out_dir),
        ],
        out_dir.parent / f"{out_dir.name}.log",
        "rasa test nlu",
    )


def markdown_table(headers: List[str], rows: List[List[object]]) -> str:
    """A GitHub markdown table."""

    def cell(value: object) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def fallback_from_config(config: Path) -> Optional[Dict[str, float]]:
    """The FallbackClassifier thresholds of a config file, if it has one."""
    from rasa.shared.utils.io import read_yaml_file

    for component in read_yaml_file(str(config)).get("pipeline", []):
        if component.get("name") == "FallbackClassifier":
            return {
                "threshold": float(component.get("threshold", 0.3)),
                "ambiguity_threshold": float(component.get("ambiguity_threshold", 0.1)),
            }
    return None
