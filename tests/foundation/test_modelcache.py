"""The model folder keeps the newest models only; ``--print-path`` names the current model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from core.settings import PROJECT_ROOT
from tools.modelcache import fingerprint, model_path, prune_models


def test_only_the_newest_models_are_kept(tmp_path: Path) -> None:
    for age, name in enumerate(
        ["storefront-a", "storefront-b", "storefront-c", "storefront-d", "storefront-e"]
    ):
        path = tmp_path / f"{name}.tar.gz"
        path.write_bytes(b"model")
        os.utime(path, (1_700_000_000 - age * 60, 1_700_000_000 - age * 60))  # a is the newest
    other = tmp_path / "my-experiment.tar.gz"
    other.write_bytes(b"not ours")

    removed = prune_models(tmp_path, keep=3)

    assert sorted(p.name for p in removed) == ["storefront-d.tar.gz", "storefront-e.tar.gz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "my-experiment.tar.gz",
        "storefront-a.tar.gz",
        "storefront-b.tar.gz",
        "storefront-c.tar.gz",
    ]
    assert prune_models(tmp_path, keep=3) == []


def test_the_fingerprint_is_the_same_in_every_process(store_db_url: str) -> None:
    """Each fingerprint reads the catalog in a new interpreter, with its own hash seed."""
    env = {**os.environ, "DATABASE_URL": store_db_url}
    assert len({fingerprint(env=env) for _ in range(3)}) == 1


def test_print_path_prints_only_the_current_model_on_stdout(tmp_path: Path, store_db_url: str) -> None:
    """``make test-stories`` reads the model from stdout; messages must go to stderr."""
    env = {**os.environ, "DATABASE_URL": store_db_url, "RASA_MODEL_DIR": str(tmp_path)}
    current = model_path(fingerprint(env=env), tmp_path)
    current.write_bytes(b"model")  # up to date: nothing to train
    result = subprocess.run(
        [sys.executable, "-m", "tools.modelcache", "--print-path"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{current}\n"
    assert "Model is up to date" in result.stderr
