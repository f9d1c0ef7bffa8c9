"""Conversation designers' first check: `rasa data validate` passes on the project's data."""

from __future__ import annotations

import subprocess
from pathlib import Path

from storefront.modelcache import TRAINING_DATA_DIRS
from storefront.settings import PROJECT_ROOT

RASA = str(PROJECT_ROOT / ".venv" / "bin" / "rasa")


def test_rasa_data_validate_passes() -> None:
    result = subprocess.run(
        [RASA, "data", "validate", "--domain", "domain.yml", "--config", "config.yml",
         "--data", *TRAINING_DATA_DIRS, "--fail-on-warnings"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_every_training_data_dir_exists() -> None:
    for folder in TRAINING_DATA_DIRS:
        assert Path(PROJECT_ROOT, folder).is_dir(), folder
