"""``python -m store`` as an operator runs it: real processes, real databases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT


def run(url: str, *args: str, tmp: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "store", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


@pytest.fixture
def url(empty_engine) -> str:
    return empty_engine.url.render_as_string(hide_password=False)


def test_migrate_load_sample_if_empty_and_stats(url, tmp_path):
    migrated = run(url, "migrate", tmp=tmp_path)
    assert migrated.returncode == 0 and "schema is at version 2" in migrated.stdout
    assert run(url, "stats", tmp=tmp_path).stdout.startswith("0 products, 0 variants")
    loaded = run(url, "load-sample", "--seed", "3", "--output-dir", str(tmp_path / "sample"), tmp=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded the sample store:" in loaded.stdout and "174 products, 3371 variants" in loaded.stdout
    assert (tmp_path / "sample" / "orders.csv").exists()
    again = run(url, "load-sample", "--if-empty", "--output-dir", str(tmp_path / "other"), tmp=tmp_path)
    assert again.returncode == 0 and "nothing to do" in again.stdout and not (tmp_path / "other").exists()
    stats = run(url, "stats", tmp=tmp_path)
    assert "orders by status: cancelled" in stats.stdout and "unfulfilled" in stats.stdout


def test_import_error_is_one_line_and_non_zero(url, tmp_path):
    bad = tmp_path / "products.csv"
    bad.write_text("URL handle,Title,Price\nbad-tee,Bad Tee,abc\n", encoding="utf-8")
    result = run(url, "import", "--products", str(bad), tmp=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "import failed, nothing was changed: products.csv row 2: Price 'abc' is not an amount"
    )
    assert run(url, "stats", tmp=tmp_path).stdout.startswith("0 products")


def test_stats_without_schema_says_what_to_do(url, tmp_path):
    result = run(url, "stats", tmp=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: the store database has no schema: run `python -m store migrate`"
