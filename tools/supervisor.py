"""Keep the stack's processes running: restart one that exits, with backoff, and say so.

A crashed action server used to take the whole stack down with it. The :class:`Supervisor`
restarts whichever process exits (after 1 s, then 2, 4, ... up to 30 s while it keeps crashing;
back to 1 s once a run lasted a healthy minute), prints what happened with the end of the
process's log, and prints again when the restarted process passes its health check. It knows
nothing about Rasa (nor imports the launcher): any :class:`Process` in the list is supervised the same way.

The launcher calls :meth:`Supervisor.poll` in its main loop, so Ctrl-C is handled where it was
and stopping the stack stops everything, including a process waiting for its restart.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Protocol, Sequence

FIRST_DELAY_S = 1.0
MAX_DELAY_S = 30.0
HEALTHY_RUN_S = 60.0
"""A run this long counts as healthy: the next crash is restarted after ``FIRST_DELAY_S`` again."""


class Process(Protocol):
    """What the supervisor needs of a process (:class:`tools.launcher.Process` has it)."""

    name: str
    log_path: Path

    def start(self, env: Dict[str, str]) -> None: ...
    def alive(self) -> bool: ...
    def healthy(self) -> bool: ...
    def exit_code(self) -> Optional[int]: ...
    def stop(self) -> None: ...
    def tail(self, lines: int) -> str: ...


@dataclass
class _Watch:
    process: Process
    started_at: float
    delay: float
    restart_at: Optional[float] = None
    awaiting_health: bool = False


class Supervisor:
    """Restarts the processes it watches when they exit; call :meth:`poll` regularly.

    Args:
        processes: already started processes (their start time is taken as now).
        env: environment to restart them with.
        say: where messages go (the console).
        clock: monotonic seconds; tests pass their own to step through the backoff.
    """

    def __init__(
        self,
        processes: Sequence[Process],
        env: Dict[str, str],
        say: Callable[[str], None],
        *,
        first_delay: float = FIRST_DELAY_S,
        max_delay: float = MAX_DELAY_S,
        healthy_run: float = HEALTHY_RUN_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._env = env
        self._say = say
        self._first_delay, self._max_delay, self._healthy_run = first_delay, max_delay, healthy_run
        self._clock = clock
        now = clock()
        self._watches: List[_Watch] = [_Watch(p, started_at=now, delay=first_delay) for p in processes]

    def poll(self) -> None:
        """Notice exits, start the processes whose backoff is over, report recoveries."""
        now = self._clock()
        for watch in self._watches:
            process = watch.process
            if watch.restart_at is not None:
                if now >= watch.restart_at:
                    self._restart(watch, now)
            elif not process.alive():
                self._schedule_restart(watch, now)
            elif watch.awaiting_health and process.healthy():
                watch.awaiting_health = False
                self._say(f"The {process.name} is back and healthy.")

    def _schedule_restart(self, watch: _Watch, now: float) -> None:
        process = watch.process
        if now - watch.started_at >= self._healthy_run:
            watch.delay = self._first_delay
        code = process.exit_code()
        process.stop()  # closes its log file
        self._say(
            f"The {process.name} stopped (exit code {code}); restarting it in {watch.delay:g} s. "
            f"Last lines of {process.log_path}:\n{process.tail(15)}"
        )
        watch.restart_at = now + watch.delay
        watch.delay = min(watch.delay * 2, self._max_delay)

    def _restart(self, watch: _Watch, now: float) -> None:
        watch.process.start(self._env)
        watch.started_at, watch.restart_at, watch.awaiting_health = now, None, True
        self._say(f"Restarted the {watch.process.name}.")
