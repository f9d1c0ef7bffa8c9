"""Measure this assistant against the bot ``rasa init`` makes, side by side, in one run.

Both servers get the same closed-loop load over the REST channel: each simulated shopper sends a
message, waits for the reply, sends the next. The messages cycle through a fixed script of
greetings, an order-status question answered in full (order number, then e-mail), shipping,
returns, sizing, stock and a "are you a person" question, so a conversation stays in a steady
state (no form left open, no shopper left paused in a live-agent handoff). Measured for each bot:

- cold start: from starting the processes to the health checks answering;
- 1, 10 and 20 shoppers: messages per second, p50 and p95 reply time;
- one long conversation: the median reply time at turns 1-20 against turns 191-210;
- the Rasa server's memory after the load (PSS of all its processes: forked workers' shared pages
  count once).

This project runs as one Rasa process (the embedded default) and, when the lock store's Redis
answers, again with one Rasa worker process per core (``RASA_WORKERS=2`` on two cores,
``LOCK_STORE_TYPE=redis``; the model is loaded once and shared, :mod:`storefront.server`). A
third worker on two cores was measured too: as fast, more memory (docs/performance.md). One
table at the end gives every column, the ratios to the stock bot and the issue's targets (issue
13) marked met or missed for each configuration of the project. The stock bot is trained once
from the template inside the installed rasa package and cached (:mod:`tools.stock_rasa`); this
project's model comes from :mod:`tools.modelcache`. Each server runs on a free port with
temporary databases, so ``make run`` is never disturbed. Every loop is bounded in messages and
seconds. Figures vary with the machine and with what else runs on it: compare columns of one
run, not runs of different days.

    make bench                                    # everything, about 10 minutes
    python scripts/bench.py --workers 2 3 --only project # two and three Rasa workers (needs Redis)
    make bench BENCH_ARGS="--only project"        # this project alone (no stock bot)
    python scripts/bench.py --shoppers 1 20 --seconds 10 --long-turns 0
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.settings import GENERATED_SECRETS, PROJECT_ROOT, load_settings
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
    memory_mb: float = float("nan")


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


def memory_mb(pid: int) -> float:
    """Proportional set size (PSS) of a process and its descendants, in MB (Linux /proc).

    Pages shared between processes count once in total (each process gets its share), so a server
    whose forked workers share the model's pages is not counted once per worker, as RSS would.
    For a single process PSS is its RSS less its share of libraries other processes also map.
    """
    total_kb = 0
    for each in _process_tree(pid):
        try:
            rollup = Path(f"/proc/{each}/smaps_rollup").read_text()
        except OSError:
            continue
        total_kb += next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
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
    result.memory_mb = memory_mb(pid())
    say(f"  Rasa server memory {result.memory_mb:.0f} MB (PSS, all its processes)")


def redis_reachable() -> bool:
    """Whether the lock store's Redis (``LOCK_STORE_HOST``/``LOCK_STORE_PORT``) accepts connections."""
    settings = load_settings(os.environ)
    try:
        with socket.create_connection((settings.lock_store_host, settings.lock_store_port), timeout=1):
            return True
    except OSError:
        return False


def scaled_workers() -> int:
    """Rasa worker processes for the scaled configuration: one per core (at least two)."""
    return max(2, os.cpu_count() or 1)


def project_stack(tmp: Path, say: Callable[[str], None], workers: int = 1) -> Stack:
    """This project's servers (not started) with a temporary store and tracker store in ``tmp``.

    ``workers`` above one runs that many Rasa worker processes with the Redis lock store.
    """
    tmp = tmp / f"project-{workers}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'store.db'}", "RASA_WORKERS": str(workers)}
    if workers > 1:
        env["LOCK_STORE_TYPE"] = "redis"
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
    # the launcher's secrets, this stack's own (the cart links of a product search are signed)
    env.update({name: secrets.token_urlsafe(24) for name in GENERATED_SECRETS if not env.get(name)})
    env.update(load_settings(env).environment())
    model = ensure_model(env=env, say=lambda line: say(f"  {line}"))
    return Stack(model=model, env=env, log_dir=tmp / "logs")


def bench_project(
    args: argparse.Namespace, tmp: Path, say: Callable[[str], None], workers: int = 1
) -> Result:
    """This project: action server and Rasa server with a temporary store and tracker store."""
    stack = project_stack(tmp, say, workers)
    result = Result(project_label(workers))
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


def project_label(workers: int) -> str:
    return "this project" if workers == 1 else f"this project, {workers} workers"


# --- the table ---------------------------------------------------------------------------------


def _ratio(ours: float, theirs: float) -> str:
    if ours != ours or theirs != theirs or not theirs:  # NaN or zero
        return "-"
    return f"{ours / theirs:.2f}x"


def _mark(met: Optional[bool]) -> str:
    return "-" if met is None else ("met" if met else "MISSED")


def _cells(values: Sequence[float], fmt: str) -> List[str]:
    return [format(value, fmt) for value in values]


def rows(projects: Sequence[Result], stock: Result) -> List[List[str]]:
    """``[measure, each project..., stock, each project's ratio to stock..., target]`` lines.

    The targets are marked for every configuration of the project, in column order.
    """

    def marks(met: Sequence[Optional[bool]]) -> str:
        return ", ".join(_mark(each) for each in met)

    def line(label: str, ours: Sequence[float], theirs: float, fmt: str, target: str = "") -> List[str]:
        ratios = [_ratio(value, theirs) for value in ours]
        return [label, *_cells(ours, fmt), format(theirs, fmt), *ratios, target]

    nan = float("nan")
    table = [line("cold start (s)", [p.cold_start_s for p in projects], stock.cold_start_s, ".1f")]
    levels = sorted({n for p in projects for n in p.loads} | set(stock.loads))
    for n in levels:
        ours = [p.loads.get(n) for p in projects]
        theirs = stock.loads.get(n)
        rate = [o.throughput if o else nan for o in ours]
        stock_rate = theirs.throughput if theirs else nan
        target = (
            f">= 3x stock: {marks([r >= 3 * stock_rate if theirs else None for r in rate])}"
            if n >= 20
            else ""
        )
        table.append(line(f"{n} shopper(s) msg/s", rate, stock_rate, ".1f", target))
        for pct in (50, 95):
            values = [o.pct(pct) if o else nan for o in ours]
            target = ""
            if pct == 95 and n == 1:
                target = f"<= 60 ms: {marks([v <= 60 if v == v else None for v in values])}"
            if pct == 95 and n >= 20:
                target = f"<= 300 ms: {marks([v <= 300 if v == v else None for v in values])}"
            table.append(
                line(f"{n} shopper(s) p{pct} ms", values, theirs.pct(pct) if theirs else nan, ".0f", target)
            )
        cpu = [o.cpu_ms_per_message if o else nan for o in ours]
        table.append(
            line(f"{n} shopper(s) CPU ms/msg", cpu, theirs.cpu_ms_per_message if theirs else nan, ".1f")
        )
        errors = [o.errors if o else 0 for o in ours] + [theirs.errors if theirs else 0]
        if any(errors):
            table.append([f"{n} shopper(s) errors", *map(str, errors), *([""] * len(projects)), ""])
    for label, attr in (("median turns 1-20 (ms)", "early_ms"), ("median turns ~200 (ms)", "late_ms")):
        table.append(line(label, [getattr(p, attr) for p in projects], getattr(stock, attr), ".0f"))
    growth = [p.late_ms / p.early_ms for p in projects]
    met = [None if g != g else g <= 1.5 for g in growth]
    stock_growth = stock.late_ms / stock.early_ms
    table.append(
        ["turn ~200 / turns 1-20", *_cells(growth, ".2f"), f"{stock_growth:.2f}", *([""] * len(projects)),
         f"<= 1.5: {marks(met)}"]
    )  # fmt: skip
    memory = [p.memory_mb for p in projects]
    met = [None if m != m else m <= 1024 for m in memory]
    table.append(
        line("Rasa server memory, PSS (MB)", memory, stock.memory_mb, ".0f", f"<= 1024 MB: {marks(met)}")
    )
    return table


def render(table: List[List[str]], projects: Sequence[Result]) -> str:
    names = [p.name for p in projects]
    header = ["measure", *names, "stock rasa init", *(f"ratio ({name})" for name in names), "issue 13 target"]
    lines = [f"| {' | '.join(header)} |", "|---|" + "---:|" * (2 * len(names) + 1) + "---|"]
    lines += [f"| {' | '.join(row)} |" for row in table]
    return "\n".join(lines)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("project", "stock"), help="measure one bot only")
    parser.add_argument(
        "--workers",
        type=int,
        nargs="*",
        default=None,
        help="this project's Rasa worker counts to measure (default: 1, and one per core when the "
        "lock store's Redis answers; above 1 uses LOCK_STORE_TYPE=redis)",
    )
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
    workers = args.workers
    if workers is None:
        workers = [1, scaled_workers()] if redis_reachable() else [1]
        if len(workers) == 1:
            say("No Redis at LOCK_STORE_HOST:LOCK_STORE_PORT: this project runs as one process only.")
    if args.only == "stock":
        workers = []
    projects = [Result(project_label(n)) for n in workers] or [Result("this project")]
    stock = Result("stock rasa init")
    steps = len(workers) + (args.only != "project")
    for step, n in enumerate(workers, 1):
        say(f"[{step}/{steps}] {project_label(n).capitalize()}")
        projects[step - 1] = bench_project(args, tmp, say, n)
    if args.only != "project":
        say(f"[{steps}/{steps}] Stock rasa init bot")
        stock = bench_stock(args, tmp, say)
    say("")
    say(f"Storefront Assistant vs stock rasa init ({os.cpu_count()} cores, closed loop over REST, "
        f"{args.seconds:.0f} s per level; load average at the end {os.getloadavg()[0]:.1f}; "
        f"temporary files in {tmp})")  # fmt: skip
    say(render(rows(projects, stock), projects))
    return 0


if __name__ == "__main__":
    sys.exit(main())
