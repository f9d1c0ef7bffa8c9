"""CPU time of the action server per call, with the requests the Rasa server really sends.

Two steps:

    python scripts/bench_actions.py record var/action_calls.jsonl   # run the bench's shoppers
    python scripts/bench_actions.py replay var/action_calls.jsonl   # CPU ms per call, per action

``record`` starts this project's stack as ``scripts/bench.py`` does (temporary sample store and
tracker store), with a small proxy between the Rasa server and the action server that writes every
request body it forwards, one JSON document a line, and runs a few shoppers through the bench's
script. ``replay`` starts the action server alone on a fresh temporary sample store (the same
seeded store, so order #1001 and its e-mail are there), posts the recorded bodies one after the
other ``--rounds`` times and divides the server process's CPU time (user + system, every thread,
``/proc``) by the calls; ``--sample`` also samples every thread's Python stack and prints where the
busy samples were. Compare CPU, not wall time: the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Dict, List

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.settings import PROJECT_ROOT, load_settings
from scripts.bench import SCRIPT, cpu_seconds, project_stack, send
from tools.launcher import free_port


def _sample_store(tmp: Path) -> Dict[str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'store.db'}"}
    for command in (["migrate"], ["load-sample", "--output-dir", str(tmp / "sample")]):
        subprocess.run(
            [sys.executable, "-m", "store", *command], cwd=PROJECT_ROOT, env=env, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    return env


async def _proxy(
    listen: int, target: str, out: Path, session: aiohttp.ClientSession, handle: IO[str]
) -> web.AppRunner:

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        handle.write(body.decode() + "\n")
        headers = {
            "Authorization": request.headers.get("Authorization", ""),
            "Content-Type": "application/json",
        }
        async with session.post(target, data=body, headers=headers) as reply:
            return web.Response(body=await reply.read(), status=reply.status, content_type="application/json")

    app = web.Application(client_max_size=10 * 1024 * 1024)
    app.router.add_post("/webhook", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", listen).start()
    return runner


def record(out: Path, shoppers: int, cycles: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-actions-") as name:
        stack = project_stack(Path(name), print)
        proxy_port = free_port()
        real = f"http://127.0.0.1:{stack.env['ACTION_PORT']}/webhook"
        stack.env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{proxy_port}/webhook"

        async def run() -> None:
            forwarder, handle = aiohttp.ClientSession(), out.open("w")
            runner = await _proxy(proxy_port, real, out, forwarder, handle)
            try:
                async with aiohttp.ClientSession() as client:

                    async def shopper(index: int) -> None:
                        for turn in range(cycles * len(SCRIPT)):
                            await send(client, stack.rasa_url, f"rec-{index}", SCRIPT[turn % len(SCRIPT)])

                    await asyncio.gather(*(shopper(i) for i in range(shoppers)))
            finally:
                await runner.cleanup()
                await forwarder.close()
                handle.close()

        stack.start()
        try:
            asyncio.run(run())
        finally:
            stack.stop()
    print(f"recorded {sum(1 for _ in out.open())} calls in {out}")


# a sampling profiler of the server's threads (started in the server by --sample)
SAMPLER = r"""
import collections, os, sys, threading, time, atexit, signal
_counts = collections.Counter()
_idle = ("select", "wait", "_worker", "get", "accept", "poll", "sleep", "run_forever", "_run_once")
def _sample():
    me = threading.get_ident()
    while True:
        time.sleep(0.002)
        for ident, frame in sys._current_frames().items():
            if ident == me:
                continue
            stack = []
            f = frame
            while f is not None:
                stack.append(f"{os.path.basename(f.f_code.co_filename)}:{f.f_code.co_name}")
                f = f.f_back
            if stack and stack[0].split(":")[1] in _idle and len(stack) < 40:
                leaf = stack[0]
                if leaf.startswith(("selectors", "threading", "queue", "thread", "base_events")):
                    continue
            _counts[";".join(reversed(stack))] += 1
def _dump(*_):
    with open(os.environ["SAMPLE_OUT"], "w") as out:
        for stack, n in _counts.most_common():
            out.write(f"{stack} {n}\n")
    os._exit(0)
signal.signal(signal.SIGUSR1, _dump)
threading.Thread(target=_sample, daemon=True).start()
sys.argv = ["tools.action_server"]
import runpy
runpy.run_module("tools.action_server", run_name="__main__")
"""


def replay(calls: Path, rounds: int, sample: Path | None) -> None:
    bodies = [line.encode() for line in calls.read_text().splitlines() if line.strip()]
    names = [json.loads(body)["next_action"] for body in bodies]
    with tempfile.TemporaryDirectory(prefix="bench-actions-") as name:
        tmp = Path(name)
        env = _sample_store(tmp)
        port, token = free_port(), secrets.token_urlsafe(16)
        env.update({"ACTION_PORT": str(port), "ACTION_SERVER_TOKEN": token, "LOG_LEVEL": "WARNING"})
        env.update(load_settings(env).environment())
        if sample:
            env["SAMPLE_OUT"] = str(sample)
            command = [sys.executable, "-c", SAMPLER]
        else:
            command = [sys.executable, "-m", "tools.action_server"]
        server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        per_action: Dict[str, List[float]] = collections.defaultdict(list)

        async def run() -> float:
            async with aiohttp.ClientSession() as client:
                for _ in range(600):
                    try:
                        async with client.get(f"{url}/health") as reply:
                            if reply.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.1)
                for body in bodies:  # warm-up: imports and first-use caches
                    async with client.post(f"{url}/webhook", data=body, headers=headers) as reply:
                        await reply.read()
                total = 0.0
                for _ in range(rounds):
                    for body, action in zip(bodies, names, strict=True):
                        before = cpu_seconds(server.pid)
                        async with client.post(f"{url}/webhook", data=body, headers=headers) as reply:
                            await reply.read()
                            if reply.status != 200:
                                raise SystemExit(f"{action}: HTTP {reply.status}")
                        spent = cpu_seconds(server.pid) - before
                        per_action[action].append(spent)
                        total += spent
                return total

        try:
            total = asyncio.run(run())
        finally:
            if sample:
                import signal

                server.send_signal(signal.SIGUSR1)
                time.sleep(1)
            server.terminate()
            server.wait(timeout=30)
    calls_made = rounds * len(bodies)
    print(f"{calls_made} calls, CPU {total * 1000 / calls_made:.2f} ms per call")
    for action, spent in sorted(per_action.items(), key=lambda item: -sum(item[1])):
        print(f"  {action:40s} {len(spent):5d} calls  {sum(spent) * 1000 / len(spent):6.2f} ms/call")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("out", type=Path)
    rec.add_argument("--shoppers", type=int, default=3)
    rec.add_argument("--cycles", type=int, default=2)
    rep = sub.add_parser("replay")
    rep.add_argument("calls", type=Path)
    rep.add_argument("--rounds", type=int, default=5)
    rep.add_argument("--sample", type=Path, help="write the sampled stacks (folded) here")
    args = parser.parse_args()
    if args.command == "record":
        record(args.out, args.shoppers, args.cycles)
    else:
        replay(args.calls, args.rounds, args.sample)


if __name__ == "__main__":
    main()
