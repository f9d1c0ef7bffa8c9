"""Long tooling runs narrate themselves: the latest log line while a command runs, its exit code."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from tools.progress import counted, duration, latest_line, run_logged

# Writes a progress line the way Rasa's epoch bars do, then keeps running for a while.
TRAINING_LIKE = (
    "import sys, time\n"
    "sys.stdout.write('Epochs:  10%|#   | 1/10\\rEpochs:  50%|##  | 5/10'); sys.stdout.flush()\n"
    "time.sleep(3)\n"
)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_latest_line_is_the_last_rewrite_of_a_progress_bar(tmp_path: Path) -> None:
    log = tmp_path / "train.log"
    log.write_text("loading\nEpochs: 10%|#   | 1/10\rEpochs: 20%|##  | 2/10\r")
    assert latest_line(log) == "Epochs: 20%|## | 2/10"


def test_latest_line_drops_colours_and_shortens(tmp_path: Path) -> None:
    log = tmp_path / "train.log"
    log.write_text("\x1b[93mUserWarning: " + "x" * 200 + "\x1b[0m\n")
    line = latest_line(log)
    assert line.startswith("UserWarning: xxx") and line.endswith("...")
    assert len(line) == 70
    assert latest_line(tmp_path / "absent.log") == ""


def test_latest_line_leaves_out_a_log_timestamp(tmp_path: Path) -> None:
    log = tmp_path / "train.log"
    log.write_text("2026-12-01 17:01:31 INFO     rasa.engine.training.hooks  - Starting to train\n")
    assert latest_line(log) == "INFO rasa.engine.training.hooks - Starting to train"


@pytest.mark.parametrize(("seconds", "shown"), [(0, "0 s"), (42.7, "42 s"), (185, "3 min 05 s")])
def test_duration(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown


def test_a_log_gets_a_status_line_with_the_commands_latest_output(tmp_path: Path) -> None:
    out = io.StringIO()
    log = tmp_path / "train.log"
    code = run_logged(
        [sys.executable, "-c", TRAINING_LIKE], log, "training x", every_s=0, poll_s=0.05, out=out
    )
    lines = out.getvalue().splitlines()
    assert code == 0
    assert lines and all(line.startswith("    training x: ") for line in lines)
    assert any(line.endswith("Epochs: 50%|## | 5/10") for line in lines)
    assert "\r" not in out.getvalue().replace("\n", "")  # a log file gets whole lines only
    assert log.read_text().endswith("5/10")


def test_a_terminal_gets_one_line_updated_in_place_and_cleared(tmp_path: Path) -> None:
    out = Terminal()
    code = run_logged(
        [sys.executable, "-c", TRAINING_LIKE], tmp_path / "t.log", "training x", poll_s=0.05, out=out
    )
    shown = out.getvalue()
    assert code == 0
    assert "\n" not in shown
    assert "\r\x1b[K    training x: " in shown
    assert shown.endswith("\r\x1b[K")


def test_the_exit_code_is_the_commands(tmp_path: Path) -> None:
    code = run_logged(
        [sys.executable, "-c", "print('boom'); raise SystemExit(3)"],
        tmp_path / "f.log",
        "x",
        out=io.StringIO(),
    )
    assert code == 3
    assert (tmp_path / "f.log").read_text() == "boom\n"


def test_counted_yields_every_item_in_order() -> None:
    assert list(counted(["a", "b", "c"], "parsing")) == ["a", "b", "c"]
