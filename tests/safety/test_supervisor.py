"""The supervisor restarts real processes that exit, with growing delays, and says so.

The children are real Python processes; only the clock is the test's, so the backoff is walked
through step by step without waiting for it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List

from tools.launcher import Process
from tools.supervisor import Supervisor

EXITS_AT_ONCE = "import pathlib, sys; pathlib.Path(sys.argv[1]).open('a').write('started\\n'); sys.exit(3)"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _crashing(tmp_path: Path) -> Process:
    starts = tmp_path / "starts.txt"
    return Process("worker", [sys.executable, "-c", EXITS_AT_ONCE, str(starts)], tmp_path / "worker.log")


def _starts(tmp_path: Path) -> int:
    path = tmp_path / "starts.txt"
    return len(path.read_text().splitlines()) if path.exists() else 0


def _wait_for_exit(process: Process) -> None:
    assert process.popen is not None
    process.popen.wait(timeout=60)


def test_a_crashing_process_is_restarted_with_doubling_delays_up_to_the_cap(tmp_path: Path) -> None:
    worker, clock, said = _crashing(tmp_path), Clock(), []  # type: ignore[var-annotated]
    worker.start(dict(os.environ))
    supervisor = Supervisor([worker], dict(os.environ), said.append, clock=clock)
    delays: List[str] = []
    for _ in range(7):
        _wait_for_exit(worker)
        supervisor.poll()  # notices the exit
        stopped = said[-1]
        assert stopped.startswith("The worker stopped (exit code 3); restarting it in ")
        delays.append(stopped.split(" in ", 1)[1].split(" s.", 1)[0])
        supervisor.poll()  # too early: nothing happens
        assert said[-1] is stopped
        clock.now += float(delays[-1])
        supervisor.poll()  # the delay is over
        assert said[-1] == "Restarted the worker."
    assert delays == ["1", "2", "4", "8", "16", "30", "30"]
    _wait_for_exit(worker)
    assert _starts(tmp_path) == 8
    worker.stop()


def test_the_delay_starts_again_after_a_healthy_run(tmp_path: Path) -> None:
    worker, clock, said = _crashing(tmp_path), Clock(), []  # type: ignore[var-annotated]
    worker.start(dict(os.environ))
    supervisor = Supervisor([worker], dict(os.environ), said.append, clock=clock)
    for step in (1.0, 2.0):
        _wait_for_exit(worker)
        supervisor.poll()
        clock.now += step
        supervisor.poll()
    _wait_for_exit(worker)
    clock.now += 61  # the last run counts as healthy: it "lasted" a minute
    supervisor.poll()
    assert said[-1].startswith("The worker stopped (exit code 3); restarting it in 1 s.")
    worker.stop()


def test_the_message_carries_the_log_tail_and_recovery_is_announced(tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    code = "import sys; print('database is locked', flush=True); sys.exit(1)"
    worker = Process("worker", [sys.executable, "-c", code], log, healthy=lambda: True)
    clock, said = Clock(), []  # type: ignore[var-annotated]
    worker.start(dict(os.environ))
    supervisor = Supervisor([worker], dict(os.environ), said.append, clock=clock)
    _wait_for_exit(worker)
    supervisor.poll()
    assert said[0].startswith("The worker stopped (exit code 1); restarting it in 1 s.")
    assert said[0].endswith(f"Last lines of {log}:\ndatabase is locked")
    worker.command = [sys.executable, "-c", "import time; time.sleep(60)"]  # this time it stays up
    clock.now += 1
    supervisor.poll()
    supervisor.poll()
    assert said[1:] == ["Restarted the worker.", "The worker is back and healthy."]
    worker.stop()
