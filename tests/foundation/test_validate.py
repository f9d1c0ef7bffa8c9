"""``make validate`` passes on the project and names what a designer broke."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "validate.py"


def validate(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(root)], capture_output=True, text=True, timeout=300
    )


@pytest.fixture()
def project_copy(tmp_path: Path) -> Path:
    for folder in ("data", "actions", "storefront"):
        shutil.copytree(
            PROJECT_ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    for name in ("domain.yml", "config.yml"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    (tmp_path / "tests").mkdir()
    shutil.copy(PROJECT_ROOT / "tests" / "test_stories.yml", tmp_path / "tests" / "test_stories.yml")
    return tmp_path


def test_the_project_validates_without_noise() -> None:
    result = validate(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "0 warning(s)" in result.stdout and "not used in any story or rule' notices left out" in result.stdout
    )
    assert "validation passed" in result.stdout


def test_an_unused_response_and_an_unknown_action_are_named(project_copy: Path) -> None:
    domain = project_copy / "domain.yml"
    domain.write_text(
        domain.read_text().replace(
            "responses:\n", "responses:\n  utter_orphan:\n    - text: nobody says me\n", 1
        )
    )
    rules = project_copy / "data" / "rules" / "chitchat.yml"
    typo = "\n  - rule: A typo\n    steps:\n      - intent: greet\n      - action: utter_greeet\n"
    rules.write_text(rules.read_text() + typo)
    result = validate(project_copy)
    assert result.returncode == 1
    assert "nothing sends utter_orphan" in result.stdout
    assert "utter_greeet' is used in the stories, but is not a valid utterance action" in result.stdout
    assert "validation FAILED" in result.stdout
