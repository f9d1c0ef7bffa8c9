"""Measure the assistant on loopback: start-up, latency for one shopper, throughput for many.

Starts its own action server and Rasa server on free ports with temporary databases (the sample
store is loaded into a temporary SQLite file), so it never disturbs ``make run``. Every loop is
bounded in count and time. Prints a table; figures vary with the machine, so compare runs on the
same machine.

    make bench                       # defaults
    python scripts/bench.py --messages 200 --shoppers 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Dict, List

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.settings import PROJECT_ROOT, load_settings
from tools.launcher import Stack, free_port
from tools.modelcache import ensure_model
from tools.progress import bar, counted

MESSAGES = [
    "hi",
    "where is my order",
    "do you ship to canada",
    "what is your return policy",
    "am i talking to a bot",
    "thanks",
]


def percentile(values: List[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def send(stack: Stack, sender: str, text: str) -> float:
    started = time.perf_counter()
    reply = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    reply.raise_for_status()
    return (time.perf_counter() - started) * 1000


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (Linux /proc)."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(c) for c in children]
    except FileNotFoundError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def single_shopper(stack: Stack, count: int) -> List[float]:
    sender = f"bench-{uuid.uuid4().hex[:8]}"
    return [send(stack, sender, MESSAGES[i % len(MESSAGES)]) for i in counted(range(count), "one shopper")]


def concurrent_shoppers(stack: Stack, shoppers: int, per_shopper: int, deadline_s: float) -> Dict[str, float]:
    latencies: List[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + deadline_s
    progress = bar(shoppers * per_shopper, f"{shoppers} shoppers")  # updated under the lock

    def shopper() -> None:
        nonlocal errors
        sender = f"bench-{uuid.uuid4().hex[:8]}"
        for i in range(per_shopper):
            if time.monotonic() > stop_at:
                return
            try:
                ms = send(stack, sender, MESSAGES[i % len(MESSAGES)])
                with lock:
                    latencies.append(ms)
            except requests.RequestException:
                with lock:
                    errors += 1
            with lock:
                progress.update()

    threads = [threading.Thread(target=shopper) for _ in range(shoppers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    progress.close()
    return {
        "messages": len(latencies),
        "errors": errors,
        "throughput": len(latencies) / elapsed if elapsed else 0.0,
        "p50": percentile(latencies, 50) if latencies else 0.0,
        "p95": percentile(latencies, 95) if latencies else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=60, help="messages from one shopper")
    parser.add_argument("--shoppers", type=int, default=10, help="concurrent shoppers")
    parser.add_argument("--per-shopper", type=int, default=12, help="messages per concurrent shopper")
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds the concurrent run may take")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="storefront-bench-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'store.db'}"}
    print("[1/5] Loading the sample store into a temporary database ...", flush=True)
    for command in (["migrate"], ["load-sample", "--output-dir", str(tmp / "sample")]):
        subprocess.run(
            [sys.executable, "-m", "store", *command],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    rasa_port, action_port = free_port(), free_port()
    env.update({
        "RASA_PORT": str(rasa_port), "ACTION_PORT": str(action_port),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TRACKER_STORE_URL": f"sqlite:///{tmp / 'tracker.db'}", "RASA_API_TOKEN": "bench-token",
    })  # fmt: skip
    env.update(load_settings(env).environment())
    print("[2/5] Finding the model for this project state (trains it if an input changed) ...", flush=True)
    model = ensure_model(env=env, say=lambda line: print(f"  {line}", flush=True))
    stack = Stack(model=model, env=env, log_dir=tmp / "logs")

    print(f"[3/5] Starting the action server and the Rasa server (logs in {stack.log_dir}) ...", flush=True)
    started = time.perf_counter()
    stack.start()
    startup_s = time.perf_counter() - started
    try:
        print(f"  both healthy after {startup_s:.0f} s", flush=True)
        send(stack, "warm-up", "hi")
        print(f"[4/5] One shopper sends {args.messages} messages, one after another ...", flush=True)
        single = single_shopper(stack, args.messages)
        print(
            f"[5/5] {args.shoppers} shoppers send {args.per_shopper} messages each at the same time "
            f"(at most {args.deadline:.0f} s) ...",
            flush=True,
        )
        many = concurrent_shoppers(stack, args.shoppers, args.per_shopper, args.deadline)
        rasa = next(p for p in stack.processes if p.name == "Rasa server")
        actions = next(p for p in stack.processes if p.name == "action server")
        memory_rasa = rss_mb(rasa.popen.pid) if rasa.popen else 0.0
        memory_actions = rss_mb(actions.popen.pid) if actions.popen else 0.0
    finally:
        stack.stop()

    print()
    print(f"Storefront Assistant benchmark ({os.cpu_count()} cores, model {model.name})")
    print(f"  start-up (both servers healthy)     {startup_s:8.1f} s")
    print(f"  one shopper, {len(single)} messages: p50      {statistics.median(single):8.1f} ms")
    print(f"                               p95      {percentile(single, 95):8.1f} ms")
    print(f"  {args.shoppers} concurrent shoppers:     msgs/s   {many['throughput']:8.1f}")
    print(f"                               p50      {many['p50']:8.1f} ms")
    print(f"                               p95      {many['p95']:8.1f} ms")
    attempted = many["messages"] + many["errors"]
    print(f"                               errors   {many['errors']:8.0f}  of {attempted:.0f}")
    print(f"  memory: Rasa server {memory_rasa:.0f} MB, action server {memory_actions:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
