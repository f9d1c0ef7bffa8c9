"""The Rasa server's entry point: ``python -m storefront.server run <rasa run's arguments>``.

With one process (``RASA_WORKERS=1``, the default) this is ``rasa run`` itself. With more, Rasa
3.6 hands ``SANIC_WORKERS`` to Sanic, which forks that many worker processes from this one, and
each worker loads the model in its ``before_server_start`` listener: every worker would unpack
and build the whole graph again and hold its own copy (about 800 MB each, the encoder, spaCy and
the policies), and start-up would take as long again per worker.

Here the model is loaded **once, in this process, before the fork** (:func:`preload`): Rasa's
``MessageProcessor._load_model`` is wrapped so that a worker asking for the same archive gets the
graph runner loaded here. The forked workers share its memory pages with this process until one of
them writes to a page (copy on write); the loaded objects are collected once and then frozen out
of the garbage collector (``gc.freeze``), whose full passes would otherwise write to every
object's header and copy the pages. Everything a worker builds for itself is built after the fork,
as before: the tracker store and its database connections, the lock store, the action server's
session, the NLU worker thread (:mod:`storefront.parse_worker`) and the tracker writer thread.

Each worker listens on **its own socket** (``SO_REUSEPORT``, :func:`install_worker_sockets`), and
the kernel spreads new connections over them. Sanic 21.12 hands every worker one shared listening
socket instead, and a worker that wakes for it accepts every connection waiting: a burst of
shoppers connecting at once (20 in the bench) went mostly to one worker, and with three workers one
was left with none (its CPU 0.3 ms per message against 12 for the others). The parent keeps the
address bound, not listening, so the port stays reserved and nothing queues for a process that
never accepts.

The kernel picks a worker for each new connection at random (a hash of its addresses), so a
client's keep-alive connections can stay skewed for as long as they live: 17 of 20 on one worker
was seen in the bench, and a skewed worker's shoppers wait about as much longer as it holds more
connections. Each worker therefore publishes how many connections it holds in memory shared by
all of them (:class:`ConnectionShares`, made before the fork), and a worker that holds at least
two more than the least busy one answers the request it is serving with ``Connection: close``
(:func:`_sharing_protocol`): the reply is sent whole, and the client's next request opens a new
connection, which the kernel hands to a worker at random again. A websocket upgrade is never
refused its connection.

Several workers need the Redis lock store (``LOCK_STORE_TYPE=redis``; :mod:`core.settings`
refuses anything else): a conversation's messages may reach any worker, and only a shared lock
keeps two of them from answering one conversation at once. The same Redis carries socket.io's
messages between workers, and the widget connects with the websocket transport first, so a socket
stays on the worker that accepted it.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import sys
from functools import wraps
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Type

from rasa.core.processor import MessageProcessor
from rasa.model import get_latest_model

from core.settings import SettingsError, load_settings

logger = logging.getLogger("storefront.server")  # also when run as __main__

_preloaded: Dict[str, Tuple[Any, ...]] = {}
_original: List[Callable[..., Any]] = []


def model_archive(path: str) -> Optional[str]:
    """The archive ``rasa run --model`` would load: the file itself, or a directory's latest."""
    if os.path.isfile(path):
        return os.path.realpath(path)
    latest = get_latest_model(path) if os.path.isdir(path) else None
    return os.path.realpath(latest) if latest else None


def _load_preloaded_first(load_model: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(load_model)
    def load(model_path: Any) -> Any:
        archive = model_archive(str(model_path))
        found = _preloaded.pop(archive, None) if archive else None
        if found is not None:
            logger.info("Using the model loaded before the workers were forked: %s", archive)
            return found
        return load_model(model_path)

    return load


def install() -> None:
    """Let ``MessageProcessor`` take a preloaded model (idempotent)."""
    if not _original:
        _original.append(MessageProcessor._load_model)
        MessageProcessor._load_model = staticmethod(  # type: ignore[method-assign]
            _load_preloaded_first(MessageProcessor._load_model)
        )


def uninstall() -> None:
    """Rasa's own loading again, nothing preloaded (for tests)."""
    if _original:
        MessageProcessor._load_model = staticmethod(_original.pop())  # type: ignore[method-assign]
    _preloaded.clear()


def preload(model_path: str) -> Optional[str]:
    """Load the archive ``model_path`` names once, here, for the workers to share; its path."""
    archive = model_archive(model_path)
    if archive is None:
        return None  # Rasa reports the missing model itself, as without workers
    install()
    _preloaded[archive] = _original[0](archive)
    gc.collect()
    gc.freeze()  # the forked workers' collections never walk (and so never copy) these objects
    return archive


def _reserve_address(host: str, port: int, *, backlog: int = 100) -> socket.socket:
    """Sanic's ``bind_socket`` for the parent of several workers: bound, shareable, not listening.

    Only listening sockets take part in the kernel's spreading of connections, so nothing queues
    here; the workers listen on sockets of their own (:func:`_serve_on_own_socket`). A server
    already listening on the address (another ``make run`` with workers, whose sockets allow
    sharing too) is refused as by Sanic, "Address already in use", instead of sharing the
    port with it: the address is first bound by a socket that allows no sharing.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))  # OSError (EADDRINUSE) when something listens there
    return _sharable_socket(family, (host, port))


def _sharable_socket(family: socket.AddressFamily, address: Any) -> socket.socket:
    """A TCP socket bound to ``address`` that other sockets of this user may bind too."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


class ConnectionShares:
    """How many connections each worker holds, in memory the forked workers share.

    Made by the parent before the fork; each worker claims a slot once (:meth:`claim`) and alone
    writes its own count. Reading the others' counts takes no lock: each is one machine word, and a
    count a moment old only delays a hand-back to a later reply.
    """

    SKEW = 2
    """A worker hands connections back while it holds at least this many more than the least busy."""

    def __init__(self, workers: int) -> None:
        import multiprocessing

        self.counts = multiprocessing.RawArray("i", workers)
        self._claimed = multiprocessing.RawValue("i", 0)
        self._lock = multiprocessing.Lock()
        self.slot: Optional[int] = None

    def claim(self) -> int:
        """This worker's slot (the next free one; a worker beyond the count shares nothing)."""
        with self._lock:
            self.slot = self._claimed.value
            self._claimed.value += 1
        return self.slot

    def publish(self, held: int) -> None:
        if self.slot is not None and self.slot < len(self.counts):
            self.counts[self.slot] = held

    def over_share(self) -> bool:
        """Whether this worker holds at least :attr:`SKEW` connections more than the least busy."""
        if self.slot is None or self.slot >= len(self.counts):
            return False
        counts = self.counts[:]
        return counts[self.slot] - min(counts) >= self.SKEW


_shares: List[ConnectionShares] = []


def _sharing_protocol(protocol: Type[Any], shares: ConnectionShares) -> Type[Any]:
    """Sanic's HTTP ``protocol``, publishing the worker's connections and handing some back when skewed."""
    from sanic.http import Http

    class SharingHttp(Http):
        __slots__ = ()

        async def http1_response_header(self, data: bytes, end_stream: bool) -> None:
            if self.keep_alive and not self.upgrade_websocket and shares.over_share():
                self.keep_alive = False  # the reply says ``Connection: close``; Sanic closes after it
            await super().http1_response_header(data, end_stream)

    class SharingProtocol(protocol):  # type: ignore[valid-type,misc]
        def _setup_connection(self) -> None:
            super()._setup_connection()
            self._http = SharingHttp(self)

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            shares.publish(len(self.connections))

        def connection_lost(self, exc: Optional[BaseException]) -> None:
            super().connection_lost(exc)
            shares.publish(len(self.connections))

    SharingProtocol.__name__ = SharingProtocol.__qualname__ = f"Sharing{protocol.__name__}"
    return SharingProtocol


def _serve_on_own_socket(serve: Callable[..., Any]) -> Callable[..., Any]:
    """Sanic's ``serve`` for a forked worker, on a listening socket of its own at the same address,
    sharing its connections with the other workers (:class:`ConnectionShares`)."""

    @wraps(serve)
    def worker(**settings: Any) -> Any:
        shared: Optional[socket.socket] = settings.get("sock")
        if (
            settings.get("run_multiple")
            and shared is not None
            and shared.family in (socket.AF_INET, socket.AF_INET6)
        ):
            own = _sharable_socket(shared.family, shared.getsockname())
            own.listen(settings.get("backlog", 100))
            shared.close()  # this worker's copy; the parent keeps the address reserved
            settings["sock"] = own
            protocol = settings.get("protocol")
            if _shares and isinstance(protocol, type) and hasattr(protocol, "_setup_connection"):
                _shares[0].claim()
                settings["protocol"] = _sharing_protocol(protocol, _shares[0])
        return serve(**settings)

    return worker


def install_worker_sockets(workers: int) -> None:
    """Give each of Sanic's ``workers`` forked workers its own listening socket, their connections
    shared out (idempotent; Linux)."""
    from sanic.server import runners

    if not hasattr(socket, "SO_REUSEPORT") or getattr(runners.serve, "__wrapped__", None):
        return
    _shares.append(ConnectionShares(workers))
    runners.bind_socket = _reserve_address
    runners.serve = _serve_on_own_socket(runners.serve)


def _option(argv: Sequence[str], *names: str) -> Optional[str]:
    for index, argument in enumerate(argv):
        for name in names:
            if argument == name and index + 1 < len(argv):
                return argv[index + 1]
            if argument.startswith(f"{name}="):
                return argument.split("=", 1)[1]
    return None


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Run ``rasa`` with ``argv``; for ``run`` with several workers, load the model first."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        workers = load_settings(os.environ).rasa_workers
    except SettingsError as error:
        sys.exit(f"configuration error: {error}")
    os.environ["SANIC_WORKERS"] = str(workers)
    if workers > 1 and arguments[:1] == ["run"]:
        install_worker_sockets(workers)
        model = _option(arguments, "--model", "-m") or "models"
        archive = preload(model)
        if archive:
            print(f"Loaded {Path(archive).name} once for {workers} workers", flush=True)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *arguments]
    rasa_main()


if __name__ == "__main__":
    main()
