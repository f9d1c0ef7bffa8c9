"""Train the assistant only when something that shapes the model changed.

The fingerprint covers the pipeline and policies (``config.yml``), the domain, the training data,
the custom NLU components' code and the store's catalog vocabulary (the catalog matcher is built
from it at training time). A model is stored as ``models/storefront-<fingerprint>.tar.gz``; if
that file exists, training is skipped. After training, only the newest :data:`KEEP_MODELS` models
are kept (switching back and forth between two branches still finds its model; the folder does
not grow with every edit of the training data).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Callable, Dict, Iterable, List, Optional

from core.settings import PROJECT_ROOT, get_settings, load_settings

TRAINING_DATA_DIRS = ("data/nlu", "data/rules", "data/stories")
MODEL_PREFIX = "storefront-"
KEEP_MODELS = 3


def _fingerprint_files(root: Path) -> List[Path]:
    files = [root / "config.yml", root / "domain.yml"]
    for folder in TRAINING_DATA_DIRS:
        files.extend(sorted((root / folder).rglob("*.yml")))
    files.extend(sorted((root / "storefront" / "nlu").rglob("*.py")))
    files.append(root / "core" / "units.py")  # the measurement parser's units
    return [f for f in files if f.is_file()]


def _catalog_digest(env: Dict[str, str]) -> str:
    """Digest of the catalog vocabulary in the store database ("" when the store is not loaded)."""
    code = (
        "import dataclasses, json\n"
        "from store.db import make_engine, session_scope\n"
        "from store.vocabulary import catalog_vocabulary\n"
        "engine = make_engine()\n"
        "with session_scope(engine) as s:\n"
        "    v = catalog_vocabulary(s)\n"
        "print(json.dumps(dataclasses.asdict(v), sort_keys=True, default=str))\n"
    )
    # A fixed hash seed: the vocabulary's order can follow set iteration (sizes that sort as
    # equals), which changes with each interpreter's seed, and the fingerprint must not.
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env={**env, "PYTHONHASHSEED": "0"},
        capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        return ""
    return hashlib.sha256(result.stdout.encode()).hexdigest()


def fingerprint(root: Path = PROJECT_ROOT, env: Optional[Dict[str, str]] = None) -> str:
    """Hash of everything the trained model depends on."""
    env = env if env is not None else {**os.environ, **get_settings().environment()}
    digest = hashlib.sha256()
    for path in _fingerprint_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    digest.update(_catalog_digest(env).encode())
    return digest.hexdigest()[:16]


def model_path(fp: str, out_dir: Path) -> Path:
    return out_dir / f"{MODEL_PREFIX}{fp}.tar.gz"


def train_command(out_dir: Path, name: str, extra: Iterable[str] = ()) -> List[str]:
    rasa = str(Path(sys.executable).parent / "rasa")
    return [
        rasa, "train",
        "--config", "config.yml",
        "--domain", "domain.yml",
        "--data", *TRAINING_DATA_DIRS,
        "--out", str(out_dir),
        "--fixed-model-name", name,
        *extra,
    ]  # fmt: skip


def ensure_model(
    *,
    out_dir: Optional[Path] = None,
    env: Optional[Dict[str, str]] = None,
    force: bool = False,
    say: Callable[[str], None] = print,
    training_output: Optional[IO[str]] = None,
) -> Path:
    """Return the model for the current project state, training it first if needed.

    ``rasa train`` writes to ``training_output`` (default: this process's stdout).
    """
    settings = load_settings(env) if env is not None else get_settings()
    env = env if env is not None else {**os.environ, **settings.environment()}
    out_dir = Path(out_dir or settings.rasa_model_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fp = fingerprint(env=env)
    target = model_path(fp, out_dir)
    shown = target.relative_to(PROJECT_ROOT) if target.is_relative_to(PROJECT_ROOT) else target
    if target.exists() and not force:
        say(f"Model is up to date: {shown}")
        return target
    # Another process (make run beside make test, or a second test session) may be training the
    # same fingerprint: wait for it rather than write the same archive twice.
    with open(out_dir / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists() and not force:
            say(f"Model is up to date: {shown}")
            return target
        say(f"Training a model (config, domain, data or catalog changed) -> {target.name}")
        started = time.monotonic()
        command = train_command(out_dir, target.name[: -len(".tar.gz")])
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, stdout=training_output)
        if result.returncode != 0 or not target.exists():
            raise RuntimeError(f"Training failed (exit {result.returncode}); see the output above.")
        say(f"Trained in {time.monotonic() - started:.0f} s: {shown}")
    removed = prune_models(out_dir, keep=KEEP_MODELS)
    if removed:
        say(f"Removed {len(removed)} older model(s): {', '.join(p.name for p in removed)}")
    return target


def prune_models(out_dir: Path, keep: int = KEEP_MODELS) -> List[Path]:
    """Delete all but the ``keep`` newest ``storefront-*.tar.gz`` in ``out_dir``; return the deleted.

    Only this project's fingerprinted models are touched; a running server has its model in memory.
    """
    models = sorted(out_dir.glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    removed = []
    for old in models[keep:]:
        old.unlink(missing_ok=True)
        removed.append(old)
    return removed


def main(argv: Optional[List[str]] = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Train the assistant if its inputs changed.")
    parser.add_argument("--force", action="store_true", help="train even if a model exists")
    parser.add_argument("--print-fingerprint", action="store_true")
    parser.add_argument(
        "--print-path",
        action="store_true",
        help="print only the model's path on stdout (for $(...) in a shell); messages go to stderr",
    )
    args = parser.parse_args(argv)
    if args.print_fingerprint:
        print(fingerprint())
        return 0
    say = (lambda line: print(line, file=sys.stderr)) if args.print_path else print
    try:
        model = ensure_model(
            force=args.force, say=say, training_output=sys.stderr if args.print_path else None
        )
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.print_path:
        print(model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
