"""storefront.server: the model is loaded once before Sanic forks workers, and only then."""

from __future__ import annotations

import copy
import errno
import gc
import os
import socket
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from rasa.core.processor import MessageProcessor
from rasa.utils.endpoints import EndpointConfig

from core.settings import SettingsError, load_settings
from storefront import server
from storefront.scaling import SwitchableLockStore


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[List[str]]:
    """Rasa's loader replaced by one that records the archives it loads."""
    loaded: List[str] = []

    def load_model(model_path: Any) -> Any:
        loaded.append(str(model_path))
        return (os.path.basename(str(model_path)), f"metadata of {model_path}", object())

    monkeypatch.setattr(MessageProcessor, "_load_model", staticmethod(load_model))
    try:
        yield loaded
    finally:
        server.uninstall()
        gc.unfreeze()  # preload froze this test process's objects


def test_a_worker_takes_the_preloaded_model_once_then_loads_as_rasa_does(
    loads: List[str], tmp_path: Path
) -> None:
    archive = tmp_path / "storefront-1.tar.gz"
    archive.write_bytes(b"")

    assert server.preload(str(archive)) == str(archive.resolve())
    assert loads == [str(archive.resolve())]
    preloaded = MessageProcessor._load_model(str(archive))  # the worker's MessageProcessor
    assert loads == [str(archive.resolve())]  # not loaded again
    again = MessageProcessor._load_model(str(archive))  # a later reload of the same file
    assert loads == [str(archive.resolve())] * 2 and again[2] is not preloaded[2]


def test_a_models_directory_means_its_latest_archive(loads: List[str], tmp_path: Path) -> None:
    older, newer = tmp_path / "storefront-a.tar.gz", tmp_path / "storefront-b.tar.gz"
    older.write_bytes(b"")
    newer.write_bytes(b"")
    os.utime(older, (1, 1))

    assert server.preload(str(tmp_path)) == str(newer.resolve())
    MessageProcessor._load_model(str(tmp_path))  # rasa run --model models/
    assert loads == [str(newer.resolve())]


def test_another_archive_is_loaded_by_rasa(loads: List[str], tmp_path: Path) -> None:
    first, second = tmp_path / "first.tar.gz", tmp_path / "second.tar.gz"
    first.write_bytes(b"")
    second.write_bytes(b"")
    server.preload(str(first))
    MessageProcessor._load_model(str(second))
    assert loads == [str(first.resolve()), str(second)]


def test_a_missing_model_is_left_for_rasa_to_report(loads: List[str], tmp_path: Path) -> None:
    assert server.preload(str(tmp_path / "nothing.tar.gz")) is None
    assert loads == []


def test_option_reads_both_spellings() -> None:
    assert server._option(["run", "--model", "m.tar.gz"], "--model", "-m") == "m.tar.gz"
    assert server._option(["run", "--model=m.tar.gz"], "--model", "-m") == "m.tar.gz"
    assert server._option(["run", "-m", "x"], "--model", "-m") == "x"
    assert server._option(["run"], "--model", "-m") is None


def test_several_workers_need_the_redis_lock_store(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="RASA_WORKERS=2 needs LOCK_STORE_TYPE=redis"):
        load_settings({"RASA_WORKERS": "2"})
    assert load_settings({"RASA_WORKERS": "2", "LOCK_STORE_TYPE": "redis"}).rasa_workers == 2
    with pytest.raises(SettingsError, match="RASA_WORKERS='0'"):
        load_settings({"RASA_WORKERS": "0"})

    # `rasa run` started by hand with Sanic's own variable gets the same refusal from the lock store
    monkeypatch.setenv("SANIC_WORKERS", "2")
    with pytest.raises(ValueError, match="SANIC_WORKERS=2 needs LOCK_STORE_TYPE=redis"):
        SwitchableLockStore(EndpointConfig(type="storefront.scaling.SwitchableLockStore", kind="in_memory"))
    monkeypatch.setenv("SANIC_WORKERS", "1")
    assert SwitchableLockStore(EndpointConfig(kind="in_memory")) is not None


def _listening_shared_socket() -> socket.socket:
    """A server socket as a worker of another running server holds it: sharable, listening."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_a_port_another_server_listens_on_is_refused_not_shared() -> None:
    with _listening_shared_socket() as other, pytest.raises(OSError) as refused:
        server._reserve_address("127.0.0.1", other.getsockname()[1])
    assert refused.value.errno == errno.EADDRINUSE


def test_the_parent_reserves_the_address_and_each_worker_listens_on_its_own_socket() -> None:
    served: List[socket.socket] = []
    worker = server._serve_on_own_socket(lambda **settings: served.append(settings["sock"]))
    reserved = server._reserve_address("127.0.0.1", 0)
    port = reserved.getsockname()[1]
    try:
        with pytest.raises(ConnectionRefusedError):  # the parent itself never queues connections
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
        for _ in range(2):  # each forked worker gets the parent's socket, as from Sanic
            inherited = socket.socket(fileno=os.dup(reserved.fileno()))
            worker(sock=inherited, run_multiple=True, backlog=10)
            assert inherited.fileno() == -1  # the worker's copy is closed
        assert [sock.getsockname() for sock in served] == [("127.0.0.1", port)] * 2
        assert served[0].fileno() != served[1].fileno()
        socket.create_connection(("127.0.0.1", port), timeout=5).close()  # now someone listens
    finally:
        for sock in (reserved, *served):
            sock.close()


def test_a_worker_hands_connections_back_only_while_it_holds_two_more_than_the_least_busy() -> None:
    shares = server.ConnectionShares(3)
    # each forked worker has its own copy of the object, over the same shared memory
    first, second, third = (copy.copy(shares) for _ in range(3))
    for worker in (first, second, third):
        worker.claim()
    assert [first.slot, second.slot, third.slot] == [0, 1, 2]
    for worker, held in ((first, 5), (second, 4), (third, 4)):
        worker.publish(held)
    assert not first.over_share()  # one more than the least busy: kept
    third.publish(3)
    assert first.over_share() and not second.over_share() and not third.over_share()
    assert list(shares.counts) == [5, 4, 3]
    late = copy.copy(shares)
    late.claim()  # a worker beyond the count shares nothing and never hands back
    late.publish(99)
    assert not late.over_share() and list(shares.counts) == [5, 4, 3]
