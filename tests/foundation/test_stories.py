"""End-to-end test stories: `rasa test core` on tests/test_stories.yml with --fail-on-prediction-errors."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Dict

import pytest

from core.settings import PROJECT_ROOT

RASA = str(PROJECT_ROOT / ".venv" / "bin" / "rasa")


@pytest.mark.integration
def test_test_stories_pass_without_prediction_errors(
    trained_model: Path, stack_env: Dict[str, str], tmp_path: Path
) -> None:
    result = subprocess.run(
        [RASA, "test", "core", "--model", str(trained_model), "--stories", "tests/test_stories.yml",
         "--endpoints", "endpoints.yml", "--out", str(tmp_path), "--fail-on-prediction-errors"],
        cwd=PROJECT_ROOT, env={**stack_env, "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'tracker.db'}"},
        capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    failed = tmp_path / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:] + detail[-4000:]
