"""``python -m store`` as an operator runs it: real processes, real databases."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from core.settings import PROJECT_ROOT
from store.schema import head_revision


def run(url: str, *args: str, tmp: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "store", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


@pytest.fixture
def url(empty_engine) -> str:
    return empty_engine.url.render_as_string(hide_password=False)


def test_migrate_load_sample_if_empty_and_stats(url, tmp_path):
    migrated = run(url, "migrate", tmp=tmp_path)
    assert migrated.returncode == 0
    assert migrated.stdout.startswith(f"created the store schema at revision {head_revision()} (")
    assert run(url, "stats", tmp=tmp_path).stdout.startswith("0 products, 0 variants")
    loaded = run(url, "load-sample", "--seed", "3", "--output-dir", str(tmp_path / "sample"), tmp=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    # Not a terminal: no progress, one summary line.
    assert loaded.stderr == ""
    assert len(loaded.stdout.splitlines()) == 1
    assert loaded.stdout.startswith("loaded the sample store: 174 products, 3371 variants, 11 categories")
    assert (tmp_path / "sample" / "orders.csv").exists()
    again = run(url, "load-sample", "--if-empty", "--output-dir", str(tmp_path / "other"), tmp=tmp_path)
    assert again.returncode == 0 and "nothing to do" in again.stdout and not (tmp_path / "other").exists()
    stats = run(url, "stats", tmp=tmp_path)
    assert "orders by status: cancelled" in stats.stdout and "unfulfilled" in stats.stdout


def test_migrate_twice_is_a_no_op_the_second_time(url, empty_engine, tmp_path):
    first, second = run(url, "migrate", tmp=tmp_path), run(url, "migrate", tmp=tmp_path)
    assert (first.returncode, second.returncode) == (0, 0)
    assert second.stdout.startswith(f"store schema is up to date at revision {head_revision()} (")
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
            head_revision()
        ]


def test_a_database_migrated_by_newer_code_is_refused_in_one_line(url, empty_engine, tmp_path):
    assert run(url, "migrate", tmp=tmp_path).returncode == 0
    with empty_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    for command in ("migrate", "stats"):
        result = run(url, command, tmp=tmp_path)
        assert result.returncode == 2
        assert result.stderr == (
            "error: the store database is at revision ffffffffffff, which this code does not know "
            "(newer code migrated it): run that code or a newer one\n"
        )


def test_import_error_is_one_line_and_non_zero(url, data_dir, tmp_path):
    bad = tmp_path / "products.csv"
    bad.write_text("URL handle,Title,Price\nbad-tee,Bad Tee,abc\n", encoding="utf-8")
    result = run(url, "import", "--products", str(bad), "--policies", str(data_dir), tmp=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "import failed, nothing was changed: products.csv row 2: Price 'abc' is not an amount"
    )
    assert run(url, "stats", tmp=tmp_path).stdout.startswith("0 products")


def test_an_import_without_policies_is_refused_before_touching_the_store(url, data_dir, tmp_path):
    """The sample store's policies, support contacts and discount codes are never a silent default."""
    result = run(url, "import", "--products", str(data_dir / "products.csv"), tmp=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "python -m store import: error: the following arguments are required: --policies"
    )
    assert run(url, "stats", tmp=tmp_path).stderr.startswith("error: the store database has no schema")


def test_an_import_on_a_terminal_draws_a_bar_per_file(url, data_dir, tmp_path):
    terminal, child = pty.openpty()  # stderr is a terminal, stdout a pipe, as in `... | tee log`
    process = subprocess.Popen(
        [sys.executable, "-m", "store", "import", "--products", str(data_dir / "products.csv"),
         "--policies", str(data_dir)],
        cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": url}, stdout=subprocess.PIPE, stderr=child,
    )  # fmt: skip
    os.close(child)
    drawn = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    out, _ = process.communicate(timeout=300)
    os.close(terminal)
    assert process.returncode == 0
    lines = [line.strip() for line in drawn.decode().replace("\r", "\n").splitlines() if line.strip()]
    assert lines[0] == f"policies from {data_dir}"
    assert any(line.startswith("products.csv: 100%|") and "| 3371/3371 [" in line for line in lines)
    assert lines[-1] == "saving"
    assert out.decode().startswith("imported: 174 products, 3371 variants, 11 categories")


def test_stats_without_schema_says_what_to_do(url, tmp_path):
    result = run(url, "stats", tmp=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: the store database has no schema: run `python -m store migrate`"
