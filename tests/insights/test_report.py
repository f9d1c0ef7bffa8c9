"""``make report`` (``python -m tools.report``) on the seeded conversations: every chart is a valid
PNG and the summary carries the same numbers as the API."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import pytest
from matplotlib import image

from core.settings import PROJECT_ROOT
from store.insights.charts import CHARTS
from tests.insights.scenario import Seeded

pytestmark = pytest.mark.integration

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_make_report_writes_every_chart_and_the_summary(
    seeded_stack: Callable[[str], Seeded], tmp_path: Path
) -> None:
    seeded = seeded_stack("sqlite")
    today = datetime.now(timezone.utc).date()
    out = tmp_path / "report"
    env = {**os.environ, "DATABASE_URL": seeded.store_url, "TRACKER_STORE_URL": seeded.tracker_url}
    result = subprocess.run(
        [sys.executable, "-m", "tools.report", "--from", (today - timedelta(days=1)).isoformat(),
         "--to", (today + timedelta(days=1)).isoformat(), "--out", str(out)],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*(f"{name}.png" for name in CHARTS), "summary.md"]
    )
    for name in CHARTS:
        path = out / f"{name}.png"
        assert path.read_bytes()[:8] == PNG_SIGNATURE, name
        pixels = image.imread(str(path))  # decodes the whole file: a truncated PNG fails here
        assert pixels.shape[0] > 100 and pixels.shape[1] > 100, name
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "| Conversations | 4 | 0 |" in summary
    assert "| Containment | 50.0% | - |" in summary
    assert "| CSAT (ratings of 4-5) | 50.0% | - |" in summary
    assert "| Assisted revenue | 159.00 | 0.00 |" in summary
    assert "- requested: 1" in summary
    assert "| Proactive messages sent | 0 | 0 |" in summary
