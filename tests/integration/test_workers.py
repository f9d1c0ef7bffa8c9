"""Two Rasa worker processes on one port (``RASA_WORKERS=2``), the model loaded once and shared.

The workers share the SQLite tracker store and the Redis lock store. A conversation's concurrent
messages keep their order and lose nothing, whichever worker takes each; each worker listens on its
own socket, so a burst of shoppers connecting at once reaches both; a website shopper on the
websocket transport gets replies; the model's memory is shared, not held once per worker. Skips
without Redis on a laptop; under CI=true Redis is required.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Tuple

import aiohttp
import pytest

from tests.integration.test_scaled_stack import (
    _concurrent_messages_to_one_conversation_stay_whole_and_ordered,
)
from tests.support.chat import settled_turn
from tests.support.services import require_service
from tests.support.stacks import running_stack, second_stack_env
from tools.launcher import Stack

pytestmark = [pytest.mark.integration, pytest.mark.redis]


@pytest.fixture(scope="module")
def workers_stack(
    trained_model: Path, stack_env: Dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    require_service("redis")
    folder = tmp_path_factory.mktemp("workers_stack")
    env = second_stack_env(
        stack_env, folder, RASA_WORKERS="2", LOCK_STORE_TYPE="redis", LOCK_STORE_HOST="127.0.0.1",
        LOCK_STORE_PORT="6379", LOCK_STORE_DB="2",
    )  # fmt: skip
    with running_stack(trained_model, env, folder) as stack:
        _wait_until_every_worker_is_up(stack, 2)
        yield stack


def _wait_until_every_worker_is_up(stack: Stack, workers: int, timeout_s: float = 60.0) -> None:
    """The stack is healthy as soon as one worker answers; the other may still be starting (its
    log lines, its listening socket). Wait, bounded, until each worker has said it is up."""
    rasa = stack.process("Rasa server")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if rasa.log_path.read_text(errors="replace").count("Rasa server is up and running.") >= workers:
            return
        time.sleep(0.1)


def _children(pid: int) -> List[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(each) for each in found.split()]


def _memory_kb(pid: int, field: str) -> int:
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    return next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith(f"{field}:"))


def test_the_model_is_loaded_once_and_its_memory_shared(workers_stack: Stack) -> None:
    rasa = workers_stack.process("Rasa server")
    assert rasa.popen is not None
    workers = _children(rasa.popen.pid)
    assert len(workers) == 2, workers
    log = rasa.log_path.read_text(errors="replace")
    assert log.count("once for 2 workers") == 1
    assert log.count("Using the model loaded before the workers were forked") == 2
    assert "Loading model" not in log.split("once for 2 workers", 1)[1]  # no worker loaded its own

    # Each worker's resident set includes the model's pages; its proportional share does not,
    # because the pages are shared with the parent and the other worker.
    for worker in workers:
        assert _memory_kb(worker, "Pss") < 0.6 * _memory_kb(worker, "Rss"), worker


def _tcp_sockets(pid: int, port: int, state: str) -> int:
    """How many of ``pid``'s TCP sockets have local port ``port`` in ``state`` (Linux /proc).

    ``state`` is the kernel's hex code: ``0A`` listening, ``01`` established.
    """
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == state and fields[9] in inodes:
                count += 1
    return count


async def _open_connections(url: str, count: int) -> List[asyncio.StreamWriter]:
    """``count`` shoppers connecting at once, each keeping its connection open.

    No request is sent: a reply could hand the connection back (the test of hand-backs below)."""
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    opened = await asyncio.gather(*(asyncio.open_connection(host, int(port)) for _ in range(count)))
    return [writer for _, writer in opened]


async def _settled(read: Callable[[], List[int]], changed: Callable[[List[int]], bool]) -> List[int]:
    """``read()`` once ``changed`` holds for it (the server's side of a connection closes a moment
    after the client's), or after two seconds."""
    for _ in range(200):
        now = read()
        if changed(now):
            return now
        await asyncio.sleep(0.01)
    return read()


def test_each_worker_listens_on_its_own_socket_and_a_burst_of_shoppers_reaches_both(
    workers_stack: Stack,
) -> None:
    # Sanic shares one listening socket between workers, and the first to wake accepted the whole
    # burst; each worker's own socket lets the kernel spread the connections.
    rasa = workers_stack.process("Rasa server")
    assert rasa.popen is not None
    port = int(workers_stack.rasa_url.rsplit(":", 1)[1])
    workers = _children(rasa.popen.pid)
    assert [_tcp_sockets(worker, port, "0A") for worker in workers] == [1, 1]
    assert _tcp_sockets(rasa.popen.pid, port, "0A") == 0  # the parent only reserves the address

    async def burst() -> List[int]:
        writers = await _open_connections(workers_stack.rasa_url, 40)
        try:
            return await _settled(
                lambda: [_tcp_sockets(worker, port, "01") for worker in workers],
                lambda counts: sum(counts) == 40,
            )
        finally:
            for writer in writers:
                writer.close()

    per_worker = asyncio.run(burst())
    assert sum(per_worker) == 40 and min(per_worker) > 0, per_worker


def test_a_worker_holding_more_connections_hands_them_back(workers_stack: Stack) -> None:
    # The kernel picks each new connection's worker at random, and keep-alive connections stay where
    # they landed. A client keeping only the connections the first worker took (a skewed pool) is
    # answered with "Connection: close" by that worker once it holds two more than the other, so the
    # skew cannot build up; without the hand-back the first worker ends up with about 20.
    rasa = workers_stack.process("Rasa server")
    assert rasa.popen is not None
    port = int(workers_stack.rasa_url.rsplit(":", 1)[1])
    workers = _children(rasa.popen.pid)

    def held() -> List[int]:
        return [_tcp_sockets(worker, port, "01") for worker in workers]

    async def skew() -> Tuple[List[int], int]:
        kept: List[aiohttp.ClientSession] = []
        handed_back = 0
        try:
            for _ in range(40):
                before = held()
                session = aiohttp.ClientSession()
                async with session.get(workers_stack.rasa_url) as reply:
                    assert reply.status == 200
                    await reply.read()
                    closing = reply.headers.get("Connection", "").lower() == "close"
                if closing:
                    handed_back += 1
                    await session.close()
                    await _settled(held, lambda now, before=before: now == before)
                    continue
                after = await _settled(held, lambda now, before=before: sum(now) == sum(before) + 1)
                if after[1] > before[1]:  # the other worker took it: let it go
                    await session.close()
                    await _settled(held, lambda now, before=before: now == before)
                else:
                    kept.append(session)
            return held(), handed_back
        finally:
            await asyncio.gather(*(session.close() for session in kept))

    per_worker, handed_back = asyncio.run(skew())
    assert per_worker[0] - per_worker[1] < 2, per_worker
    assert handed_back > 0


def test_concurrent_messages_to_one_conversation_on_two_workers(workers_stack: Stack) -> None:
    # Two lanes at once on the one port: the kernel hands connections to either worker, and the
    # Redis lock makes them take turns on the conversation.
    _concurrent_messages_to_one_conversation_stay_whole_and_ordered([workers_stack, workers_stack])


async def _websocket_shopper(stack: Stack) -> str:
    """One widget-like shopper on the websocket transport alone (Engine.IO 4 / Socket.IO 5 packets).

    python-socketio's own client needs an aiohttp release newer than the pinned one for websockets,
    so the few packets the widget exchanges are written here: open, connect, two events, a reply.
    """
    session_id = uuid.uuid4().hex
    url = f"{stack.rasa_url.replace('http', 'ws', 1)}/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
        opened = await socket.receive_str(timeout=30)
        assert opened.startswith("0{"), opened  # Engine.IO open
        await socket.send_str("40")  # Socket.IO connect to the default namespace
        while True:
            packet = await socket.receive_str(timeout=30)
            if packet.startswith("40"):
                break
        await socket.send_str("42" + json.dumps(["session_request", {"session_id": session_id}]))
        await socket.send_str(
            "42" + json.dumps(["user_uttered", {"message": "hello", "session_id": session_id}])
        )
        while True:
            packet = await socket.receive_str(timeout=60)
            if packet == "2":  # Engine.IO ping
                await socket.send_str("3")
            elif packet.startswith("42") and json.loads(packet[2:])[0] == "bot_uttered":
                return session_id


async def test_website_shoppers_on_the_websocket_transport_get_their_replies(workers_stack: Stack) -> None:
    sessions = await asyncio.gather(*(_websocket_shopper(workers_stack) for _ in range(6)))
    for session_id in sessions:
        assert settled_turn(workers_stack, session_id, messages=1).responses == ["utter_greet"]
