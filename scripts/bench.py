"""Measure this assistant against the bot ``rasa init`` makes, side by side, in one run.

Both servers get the same closed-loop load over the REST channel: each simulated shopper sends a
message, waits for the reply, sends the next. The messages cycle through a fixed script of
greetings, an order-status question answered in full (order number, then e-mail), shipping,
returns, sizing, stock and a "are you a person" question, so a conversation stays in a steady
state (no form left open, no shopper left paused in a live-agent handoff). Measured for each bot:

- cold start: from starting the processes to the health checks answering;
- 1, 10 and 20 shoppers: messages per second, p50 and p95 reply time;
- one long conversation: the median reply time at turns 1-20 against turns 191-210;
- the Rasa server's resident memory after the load.

One table at the end gives both columns, the ratio (project / stock) and the issue's targets
(issue 13) marked met or missed. The stock bot is trained once from the template inside the
installed rasa package and cached (:mod:`tools.stock_rasa`); this project's model comes from
:mod:`tools.modelcache`. Each server runs on a free port with temporary databases, so ``make run``
is never disturbed. Every loop is bounded in messages and seconds. Figures vary with the machine
and with what else runs on it: compare columns of one run, not runs of different days.

    make bench                                    # everything, about 8 minutes
    make bench BENCH_ARGS="--only project"        # this project alone (no stock bot)
    python scripts/bench.py --shoppers 1 20 --seconds 10 --long-turns 0
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.settings import PROJECT_ROOT, load_settings
from tools.launcher import Stack, free_port
from tools.modelcache import ensure_model
from tools.progress import bar
from tools.stock_rasa import StockServer, ensure_stock_model

# One shopper's cycle. The order question is answered in full (the sample store's order #1001 and
# its e-mail) so the form closes; the last line asks about a person without pausing the
# conversation in a handoff, which would stop the assistant from answering.
SCRIPT = (
    "hi",
    "where is my order?",
    "#1001",
    "ava.shopper@example.com",
    "do you ship to canada",
    "what is your return policy",
    "what size should i get",
    "stop",
    "is the black hoodie in stock",
    "am i talking to a real person",
    "thanks",
)

WINDOW = 20  # turns per window of the long conversation


@dataclass
class Load:
    """Replies of one closed-loop run."""

    shoppers: int
    latencies_ms: List[float]
    errors: int
    seconds: float
    answered: int = 0  # every reply of the run, warm-up included (the CPU time's denominator)
    cpu_s: Dict[str, float] = field(default_factory=dict)  # CPU seconds per server over the run

    @property
    def cpu_ms_per_message(self) -> float:
        """CPU time of the servers (user + system, all threads) per reply: little moved by load."""
        return sum(self.cpu_s.values()) * 1000 / self.answered if self.answered else float("nan")

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def pct(self, pct: float) -> float:
        return percentile(self.latencies_ms, pct) if self.latencies_ms else float("nan")


@dataclass
class Result:
    """Everything measured for one bot."""

    name: str
    cold_start_s: float = float("nan")
    loads: Dict[int, Load] = field(default_factory=dict)
    early_ms: float = float("nan")
    late_ms: float = float("nan")
    rss_mb: float = float("nan")


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _process_tree(pid: int) -> List[int]:
    pids, queue = [], [pid]
    while queue:
        each = queue.pop()
        pids.append(each)
        children = subprocess.run(["pgrep", "-P", str(each)], capture_output=True, text=True).stdout
        queue += [int(child) for child in children.split()]
    return pids


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants so far (all threads; Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for each in _process_tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (Linux /proc)."""
    pids = [pid]
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    pids += [int(child) for child in children]
    total_kb = 0
    for each in pids:
        try:
            status = Path(f"/proc/{each}/status").read_text()
        except OSError:
            continue
        total_kb += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
        )
    return total_kb / 1024


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> float:
    """POST one message to the REST webhook and wait for the replies; milliseconds taken."""
    started = time.perf_counter()
    async with session.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
    ) as reply:
        reply.raise_for_status()
        await reply.read()
    return (time.perf_counter() - started) * 1000


def _client() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=60), connector=aiohttp.TCPConnector(limit=0)
    )


async def closed_loop(url: str, shoppers: int, seconds: float, warmup_s: float) -> Load:
    """``shoppers`` shoppers, each sending the script in a loop; replies counted after warm-up."""
    latencies: List[float] = []
    errors = 0
    started = time.monotonic()
    counting_from = started + warmup_s
    stop_at = counting_from + seconds
    progress = bar(None, f"{shoppers} shopper(s)")

    answered = 0

    async def shopper(session: aiohttp.ClientSession) -> None:
        nonlocal errors, answered
        sender = f"bench-{uuid.uuid4().hex[:10]}"
        turn = 0
        while time.monotonic() < stop_at:
            text = SCRIPT[turn % len(SCRIPT)]
            turn += 1
            sent_at = time.monotonic()
            try:
                ms = await send(session, url, sender, text)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                errors += 1
                continue
            answered += 1
            if sent_at >= counting_from and time.monotonic() <= stop_at:
                latencies.append(ms)
                progress.update()

    async with _client() as session:
        await asyncio.gather(*(shopper(session) for _ in range(shoppers)))
    progress.close()
    return Load(shoppers, latencies, errors, seconds, answered)


async def long_conversation(url: str, turns: int) -> List[float]:
    """Reply times of one shopper's conversation of ``turns`` messages, in order."""
    sender = f"bench-long-{uuid.uuid4().hex[:10]}"
    latencies = []
    progress = bar(turns, "long conversation")
    async with _client() as session:
        for turn in range(turns):
            latencies.append(await send(session, url, sender, SCRIPT[turn % len(SCRIPT)]))
            progress.update()
    progress.close()
    return latencies


def measure(
    result: Result,
    url: str,
    pid: Callable[[], int],
    args: argparse.Namespace,
    say: Callable[[str], None],
    servers: Optional[Dict[str, Callable[[], int]]] = None,
) -> None:
    """Run the load levels and the long conversation against a started server.

    ``servers`` names the processes whose CPU time is counted per message (default: the Rasa
    server ``pid`` alone).
    """
    servers = servers or {"Rasa server": pid}
    asyncio.run(long_conversation(url, len(SCRIPT)))  # warm-up: first-use imports and caches
    for shoppers in args.shoppers:
        before = {name: cpu_seconds(each()) for name, each in servers.items()}
        load = asyncio.run(closed_loop(url, shoppers, args.seconds, args.warmup))
        load.cpu_s = {name: cpu_seconds(each()) - before[name] for name, each in servers.items()}
        result.loads[shoppers] = load
        split = ", ".join(
            f"{name} {cpu * 1000 / max(load.answered, 1):.0f}" for name, cpu in load.cpu_s.items()
        )
        say(
            f"  {shoppers:>2} shopper(s): {load.throughput:6.1f} msg/s  p50 {load.pct(50):6.0f} ms  "
            f"p95 {load.pct(95):6.0f} ms  errors {load.errors}  "
            f"CPU {load.cpu_ms_per_message:.1f} ms/msg ({split}; {load.answered} replies)"
        )
    if args.long_turns >= 2 * WINDOW:
        latencies = asyncio.run(long_conversation(url, args.long_turns))
        result.early_ms = statistics.median(latencies[:WINDOW])
        result.late_ms = statistics.median(latencies[-WINDOW:])
        say(
            f"  one conversation: median {result.early_ms:.0f} ms at turns 1-{WINDOW}, "
            f"{result.late_ms:.0f} ms at turns {args.long_turns - WINDOW + 1}-{args.long_turns}"
        )
    result.rss_mb = rss_mb(pid())
    say(f"  Rasa server memory {result.rss_mb:.0f} MB")


def project_stack(tmp: Path, say: Callable[[str], None]) -> Stack:
    """This project's servers (not started) with a temporary store and tracker store in ``tmp``."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'store.db'}"}
    say("Loading the sample store into a temporary database ...")
    for command in (["migrate"], ["load-sample", "--output-dir", str(tmp / "sample")]):
        subprocess.run(
            [sys.executable, "-m", "store", *command], cwd=PROJECT_ROOT, env=env, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    rasa_port, action_port = free_port(), free_port()
    env.update({
        "RASA_PORT": str(rasa_port), "ACTION_PORT": str(action_port),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TRACKER_STORE_URL": f"sqlite:///{tmp / 'tracker.db'}", "RASA_API_TOKEN": "bench-token",
        "HANDOFF_HOURS_OVERRIDE": "open",
    })  # fmt: skip
    env.update(load_settings(env).environment())
    model = ensure_model(env=env, say=lambda line: say(f"  {line}"))
    return Stack(model=model, env=env, log_dir=tmp / "logs")


def bench_project(args: argparse.Namespace, tmp: Path, say: Callable[[str], None]) -> Result:
    """This project: action server and Rasa server with a temporary store and tracker store."""
    stack = project_stack(tmp, say)
    result = Result("this project")
    say(f"Starting this project's action server and Rasa server (logs in {stack.log_dir}) ...")
    started = time.perf_counter()
    stack.start()
    result.cold_start_s = time.perf_counter() - started
    say(f"  healthy after {result.cold_start_s:.1f} s")
    try:
        rasa, actions = stack.process("Rasa server"), stack.process("action server")
        rasa_pid = lambda: rasa.popen.pid if rasa.popen else 0  # noqa: E731
        servers = {
            "Rasa server": rasa_pid,
            "action server": lambda: actions.popen.pid if actions.popen else 0,
        }
        measure(result, stack.rasa_url, rasa_pid, args, say, servers)
    finally:
        stack.stop()
    return result


def bench_stock(args: argparse.Namespace, tmp: Path, say: Callable[[str], None]) -> Result:
    """The ``rasa init`` bot as ``rasa run --enable-api`` leaves it."""
    model = ensure_stock_model(say=lambda line: say(f"  {line}"))
    server = StockServer(model=model, port=free_port(), log_dir=tmp / "logs", env=dict(os.environ))
    result = Result("stock rasa init")
    say(f"Starting the stock Rasa server (log in {tmp / 'logs'}) ...")
    started = time.perf_counter()
    process = server.start()
    try:
        deadline = time.monotonic() + 240
        while not server.healthy():
            if not process.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"The stock Rasa server did not start:\n{process.tail()}")
            time.sleep(0.2)
        result.cold_start_s = time.perf_counter() - started
        say(f"  healthy after {result.cold_start_s:.1f} s")
        measure(result, server.url, lambda: process.popen.pid if process.popen else 0, args, say)
    finally:
        server.stop()
    return result


# --- the table ---------------------------------------------------------------------------------


def _ratio(ours: float, theirs: float) -> str:
    if ours != ours or theirs != theirs or not theirs:  # NaN or zero
        return "-"
    return f"{ours / theirs:.2f}x"


def _mark(met: Optional[bool]) -> str:
    return "-" if met is None else ("met" if met else "MISSED")


def rows(project: Result, stock: Result) -> List[Tuple[str, str, str, str, str]]:
    """``(measure, project, stock, ratio, target)`` lines of the table."""
    table = [
        ("cold start (s)", f"{project.cold_start_s:.1f}", f"{stock.cold_start_s:.1f}",
         _ratio(project.cold_start_s, stock.cold_start_s), "")
    ]  # fmt: skip
    for n in sorted(set(project.loads) | set(stock.loads)):
        ours, theirs = project.loads.get(n), stock.loads.get(n)
        rate = (ours.throughput if ours else float("nan"), theirs.throughput if theirs else float("nan"))
        target = ""
        if n >= 20 and ours and theirs:
            target = f">= 3x stock: {_mark(rate[0] >= 3 * rate[1])}"
        table.append((f"{n} shopper(s) msg/s", f"{rate[0]:.1f}", f"{rate[1]:.1f}", _ratio(*rate), target))
        for pct in (50, 95):
            values = (ours.pct(pct) if ours else float("nan"), theirs.pct(pct) if theirs else float("nan"))
            target = ""
            if pct == 95 and ours and n == 1:
                target = f"<= 60 ms: {_mark(values[0] <= 60)}"
            if pct == 95 and ours and n >= 20:
                target = f"<= 300 ms: {_mark(values[0] <= 300)}"
            table.append(
                (f"{n} shopper(s) p{pct} ms", f"{values[0]:.0f}", f"{values[1]:.0f}", _ratio(*values), target)
            )
        cpu = (ours.cpu_ms_per_message if ours else float("nan"),
               theirs.cpu_ms_per_message if theirs else float("nan"))  # fmt: skip
        table.append((f"{n} shopper(s) CPU ms/msg", f"{cpu[0]:.1f}", f"{cpu[1]:.1f}", _ratio(*cpu), ""))
        errors = (ours.errors if ours else 0, theirs.errors if theirs else 0)
        if any(errors):
            table.append((f"{n} shopper(s) errors", str(errors[0]), str(errors[1]), "", ""))
    for label, attr in (("median turns 1-20 (ms)", "early_ms"), ("median turns ~200 (ms)", "late_ms")):
        ours, theirs = getattr(project, attr), getattr(stock, attr)
        table.append((label, f"{ours:.0f}", f"{theirs:.0f}", _ratio(ours, theirs), ""))
    growth = (project.late_ms / project.early_ms, stock.late_ms / stock.early_ms)
    met = None if growth[0] != growth[0] else growth[0] <= 1.5
    table.append(
        ("turn ~200 / turns 1-20", f"{growth[0]:.2f}", f"{growth[1]:.2f}", "", f"<= 1.5: {_mark(met)}")
    )
    met = None if project.rss_mb != project.rss_mb else project.rss_mb <= 1024
    table.append(("Rasa server RSS (MB)", f"{project.rss_mb:.0f}", f"{stock.rss_mb:.0f}",
                  _ratio(project.rss_mb, stock.rss_mb), f"<= 1024 MB: {_mark(met)}"))  # fmt: skip
    return table


def render(table: List[Tuple[str, str, str, str, str]]) -> str:
    header = ("measure", "this project", "stock rasa init", "ratio", "issue 13 target")
    lines = [f"| {' | '.join(header)} |", "|---|---:|---:|---:|---|"]
    lines += [f"| {' | '.join(row)} |" for row in table]
    return "\n".join(lines)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("project", "stock"), help="measure one bot only")
    parser.add_argument(
        "--shoppers", type=int, nargs="*", default=[1, 10, 20], help="load levels (default 1 10 20)"
    )
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="measured seconds per load level (default 20)"
    )
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="unmeasured seconds before each level (default 3)"
    )
    parser.add_argument(
        "--long-turns",
        type=int,
        default=210,
        help="messages of the long conversation (default 210; 0 skips it)",
    )
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)

    def say(line: str) -> None:
        print(line, flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="storefront-bench-"))
    project, stock = Result("this project"), Result("stock rasa init")
    if args.only != "stock":
        say("[1/2] This project")
        project = bench_project(args, tmp, say)
    if args.only != "project":
        say("[2/2] Stock rasa init bot")
        stock = bench_stock(args, tmp, say)
    say("")
    say(f"Storefront Assistant vs stock rasa init ({os.cpu_count()} cores, closed loop over REST, "
        f"{args.seconds:.0f} s per level; load average at the end {os.getloadavg()[0]:.1f}; "
        f"temporary files in {tmp})")  # fmt: skip
    say(render(rows(project, stock)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
