"""Start the action server and the Rasa server, wait until both are healthy, keep them running.

``make run`` calls ``python -m tools.launcher``: a server that crashes is restarted with backoff
(:mod:`tools.supervisor`) and Ctrl-C stops everything. The integration tests use :class:`Stack`
to run the very same processes on free loopback ports.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Dict, List, Optional

from core.settings import ENV_FILE, PROJECT_ROOT, Settings, SettingsError, load_settings
from tools.supervisor import Supervisor

RASA_BIN = str(Path(sys.executable).parent / "rasa")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing uses right now, below the kernel's ephemeral range.

    A port the kernel picks for ``bind(0)`` comes from the ephemeral range, which outgoing
    connections also draw from: between this check and the server's own bind, a client socket
    (the bench's shoppers, the Rasa server's calls to the action server) could take it, and the
    server then failed with "Address already in use". Ports below that range are never handed to
    outgoing connections, and none is handed out twice by this process.
    """
    low = _ephemeral_low()
    for _ in range(200):
        port = _random.randrange(FREE_PORT_FLOOR, low) if low - FREE_PORT_FLOOR >= 1000 else 0
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            port = sock.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port
    raise RuntimeError("no free TCP port on 127.0.0.1")


FREE_PORT_FLOOR = 20000
"""Lowest port :func:`free_port` picks (above the usual services' ports)."""

_handed_out: set = set()
_random = random.SystemRandom()


def _ephemeral_low() -> int:
    """The first port of the kernel's ephemeral range (Linux; 32768 when unknown)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _get(url: str, timeout: float = 2.0) -> Optional[bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:  # noqa: S310 (loopback)
            return reply.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def _always() -> bool:
    return True


@dataclass
class Process:
    """One child process with its log file and its health check."""

    name: str
    command: List[str]
    log_path: Path
    healthy: Callable[[], bool] = field(default=_always, repr=False)
    popen: Optional[subprocess.Popen] = None
    _log: Optional[IO[bytes]] = field(default=None, repr=False)

    def start(self, env: Dict[str, str], cwd: Optional[Path] = None) -> None:
        """Start the command in ``cwd`` (default: the project root), its output in the log."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        # Kept open for the child's lifetime and closed in stop().
        self._log = open(self.log_path, "ab")  # noqa: SIM115
        self.popen = subprocess.Popen(
            self.command, cwd=cwd or PROJECT_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def exit_code(self) -> Optional[int]:
        return None if self.popen is None else self.popen.poll()

    def stop(self, timeout: float = 20.0) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class StartupError(RuntimeError):
    """A server did not become healthy; the message carries the end of its log."""


@dataclass
class Stack:
    """The action server and the Rasa server, configured by one environment.

    Both read the action server's shared secret from ``ACTION_SERVER_TOKEN``; when the
    environment has none (benchmarks, ad-hoc stacks), the stack makes one up for its processes.
    """

    model: Path
    env: Dict[str, str]
    log_dir: Path
    processes: List[Process] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.env.get("ACTION_SERVER_TOKEN"):
            self.env = {**self.env, "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24)}

    @property
    def rasa_url(self) -> str:
        return f"http://{self.env['RASA_HOST']}:{self.env['RASA_PORT']}"

    @property
    def action_url(self) -> str:
        host = self.env.get("ACTION_HOST", "127.0.0.1")
        if host in ("", "0.0.0.0", "::"):  # noqa: S104 (every interface: reach it on loopback)
            host = "127.0.0.1"
        return f"http://{host}:{self.env['ACTION_PORT']}"

    @property
    def token(self) -> str:
        return self.env["RASA_API_TOKEN"]

    def services(self) -> List[Process]:
        """Every process of the stack, started in this order and supervised by ``make run``.

        Another long-running process is one more entry: ``Process(name, command, log_path,
        health_check)``.
        """
        demo_shop = [self._demo_shop()] if self.env.get("SHOPIFY_DEMO") == "true" else []
        return [*demo_shop, self._actions(), self._rasa(), self._outbox_worker()]

    def _outbox_worker(self) -> Process:
        """Sends the outbox's due proactive messages (integrations/proactive/worker.py)."""
        command = [sys.executable, "-m", "integrations.proactive.worker"]
        return Process("outbox worker", command, self.log_dir / "outbox.log")

    def _demo_shop(self) -> Process:
        """The fake Shopify Admin API with the sample store (``SHOPIFY_DEMO=true``: :func:`demo_shop_env`)."""
        port = self.env["SHOPIFY_ADMIN_URL"].rsplit(":", 1)[1]
        command = [
            sys.executable, "-m", "tests.fakes.shopify_admin", "--port", port,
            "--token", self.env["SHOPIFY_ADMIN_TOKEN"], "--secret", self.env["SHOPIFY_WEBHOOK_SECRET"],
            "--shop", self.env["SHOPIFY_SHOP_DOMAIN"], "--version", self.env["SHOPIFY_API_VERSION"],
        ]  # fmt: skip
        url = f"{self.env['SHOPIFY_ADMIN_URL']}/health"
        return Process("demo Shopify", command, self.log_dir / "shopify.log", lambda: _get(url) is not None)

    def _actions(self) -> Process:
        command = [sys.executable, "-m", "tools.action_server"]
        return Process("action server", command, self.log_dir / "actions.log", self._actions_ready)

    def _actions_ready(self) -> bool:
        return _get(f"{self.action_url}/health") is not None

    def _rasa(self) -> Process:
        command = [
            sys.executable, "-m", "storefront.server", "run", "--enable-api", "--auth-token", self.token,
            "--model", str(self.model), "--endpoints", "endpoints.yml",
            "--credentials", "credentials.yml", "--cors", "*",
            "--interface", self.env["RASA_HOST"], "--port", self.env["RASA_PORT"],
        ]  # fmt: skip
        return Process("Rasa server", command, self.log_dir / "rasa.log", self._rasa_ready)

    def start(self, timeout: float = 240.0) -> Stack:
        """Start both servers and wait until they answer their health checks."""
        self.processes = self.services()
        for process in self.processes:
            process.start(self.env)
        try:
            self.wait_healthy(timeout)
        except BaseException:
            self.stop()  # never leave one server running when the other failed
            raise
        return self

    def wait_healthy(self, timeout: float) -> None:
        """Poll every started process's health check until all pass or ``timeout`` runs out."""
        pending = {p.name: p for p in self.processes}
        deadline = time.monotonic() + timeout
        while pending:
            for name, process in list(pending.items()):
                if not process.alive():
                    raise StartupError(f"The {name} exited during start-up:\n{process.tail()}")
                if process.healthy():
                    del pending[name]
            if not pending:
                return
            if time.monotonic() > deadline:
                name, process = next(iter(pending.items()))
                raise StartupError(f"The {name} did not become healthy in {timeout:.0f} s:\n{process.tail()}")
            time.sleep(0.5)

    def _rasa_ready(self) -> bool:
        body = _get(f"{self.rasa_url}/status?token={self.token}")
        if body is None:
            return False
        try:
            return bool(json.loads(body).get("model_file"))
        except ValueError:
            return False

    def process(self, name: str) -> Process:
        """The running process called ``name`` ("action server", "Rasa server")."""
        return next(p for p in self.processes if p.name == name)

    def restart(self, name: str, timeout: float = 240.0) -> None:
        """Stop the process ``name`` if it runs, start it again and wait until all are healthy."""
        process = self.process(name)
        process.stop()
        process.start(self.env)
        self.wait_healthy(timeout)

    def restart_rasa(self, timeout: float = 240.0) -> None:
        """Restart the Rasa server (used to prove conversations survive a restart)."""
        self.restart("Rasa server", timeout)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


DEMO_SHOP_DOMAIN = "storefront-demo.myshopify.com"


def demo_shop_env(env: Dict[str, str]) -> Dict[str, str]:
    """``env`` connected to the demo shop (the fake Admin API on a free port) when ``SHOPIFY_DEMO=true``.

    The demo's token and webhook secret are made up for this run: they open nothing but the fake.
    """
    if env.get("SHOPIFY_DEMO") != "true":
        return env
    return {
        **env,
        "SHOPIFY_SHOP_DOMAIN": DEMO_SHOP_DOMAIN,
        "SHOPIFY_ADMIN_TOKEN": f"shpat_demo_{secrets.token_hex(8)}",
        "SHOPIFY_WEBHOOK_SECRET": secrets.token_urlsafe(24),
        "SHOPIFY_ADMIN_URL": f"http://127.0.0.1:{free_port()}",
    }


def _sync_demo_shop(stack: Stack) -> None:
    """Link the sample store to the demo shop (``python -m integrations.shopify sync``)."""
    if stack.env.get("SHOPIFY_DEMO") != "true":
        return
    print("Syncing the store with the demo Shopify...", flush=True)
    # the demo shop dates every order's latest change to 2026-01-01: take the whole history
    command = [sys.executable, "-m", "integrations.shopify", "sync", "--order-days", "3650"]
    subprocess.call(command, cwd=PROJECT_ROOT, env=stack.env)


def _banner(settings: Settings, stack: Stack) -> str:
    lines = [
        "",
        "Storefront Assistant is running.",
        f"  Demo store:       {stack.rasa_url}/webhooks/storefront/  (product page, cart and chat widget)",
        f"  Chat (REST):      POST {stack.rasa_url}/webhooks/rest/webhook  "
        '{"sender": "me", "message": "hi"}',
        f"  Chat (socket.io): {stack.rasa_url}/socket.io",
        f"  Agent console:    {stack.rasa_url}/webhooks/agent_console/  "
        "(agent accounts: python -m store agents add NAME; until one exists, AGENT_CONSOLE_TOKEN)",
        f"  Rasa HTTP API:    {stack.rasa_url}/status?token=$RASA_API_TOKEN",
        f"  Action server:    {stack.action_url}  (for the Rasa server only: requires ACTION_SERVER_TOKEN)",
        f"  Logs:             {stack.log_dir}",
    ]
    if stack.env.get("SHOPIFY_DEMO") == "true":
        lines.insert(
            -1,
            f"  Demo Shopify:     {stack.env['SHOPIFY_ADMIN_URL']}  (fake Admin API; webhooks to "
            f"{stack.rasa_url}/webhooks/shopify/webhook)",
        )
    for name in sorted(settings.generated):
        value = settings.environment()[name]
        lines.append(f"  {name} was not set; generated: {value}  (kept in var/secrets.env)")
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


def terminal_command(mode: str, model: Path, port: str) -> List[str]:
    """The plain ``rasa shell`` or ``rasa interactive`` command, on the configured Rasa port."""
    common = ["--model", str(model), "--endpoints", "endpoints.yml", "--port", port]
    if mode == "shell":
        return [RASA_BIN, "shell", *common]
    from tools.modelcache import TRAINING_DATA_DIRS

    training = ["--config", "config.yml", "--domain", "domain.yml", "--data", *TRAINING_DATA_DIRS]
    return [RASA_BIN, "interactive", *common, *training]


def _in_terminal(stack: Stack, command: List[str]) -> int:
    """Run the action server in the background and ``command`` (``rasa shell``...) in the foreground."""
    actions = stack._actions()
    actions.start(stack.env)
    stack.processes = [actions]
    try:
        stack.wait_healthy(120)
        return subprocess.call(command, cwd=PROJECT_ROOT, env=stack.env)
    except StartupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run the Storefront Assistant servers.")
    parser.add_argument("--model", type=Path, help="model archive (default: train if stale)")
    terminal = parser.add_mutually_exclusive_group()
    terminal.add_argument("--shell", action="store_true", help="talk in the terminal (rasa shell)")
    terminal.add_argument(
        "--interactive", action="store_true", help="teach in the terminal (rasa interactive)"
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings(os.environ, env_file=ENV_FILE, generate_secrets=True)
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2

    from tools.modelcache import ensure_model

    env = demo_shop_env({**os.environ, **settings.environment()})
    model = args.model or ensure_model(env=env)
    stack = Stack(model=model, env=env, log_dir=PROJECT_ROOT / "var" / "logs")
    if args.shell or args.interactive:
        mode = "shell" if args.shell else "interactive"
        return _in_terminal(stack, terminal_command(mode, model, stack.env["RASA_PORT"]))
    stop_requested = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    print("Starting the action server, the Rasa server and the outbox worker (about half a minute)...")
    try:
        stack.start()
        _sync_demo_shop(stack)
        print(_banner(settings, stack), flush=True)
        supervisor = Supervisor(stack.processes, stack.env, say=_say)
        while not stop_requested:
            supervisor.poll()
            time.sleep(0.5)
        print("\nStopping...")
        return 0
    except StartupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
        print("Stopped.")


if __name__ == "__main__":
    sys.exit(main())
