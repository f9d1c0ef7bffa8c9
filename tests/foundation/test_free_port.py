"""``tools.launcher.free_port``: ports servers can bind, never from the outgoing connections' range."""

from __future__ import annotations

import socket

from tools import launcher


def test_ports_are_distinct_bindable_and_below_the_ephemeral_range() -> None:
    low = launcher._ephemeral_low()
    ports = [launcher.free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports)
    for port in ports:
        if low - launcher.FREE_PORT_FLOOR >= 1000:
            assert launcher.FREE_PORT_FLOOR <= port < low
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_a_port_in_use_is_never_handed_out(monkeypatch) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        picks, pick = iter([taken, taken]), launcher._random.randrange
        monkeypatch.setattr(launcher._random, "randrange", lambda *span: next(picks, None) or pick(*span))
        monkeypatch.setattr(launcher, "_ephemeral_low", lambda: 65536)
        monkeypatch.setattr(launcher, "_handed_out", set())
        assert launcher.free_port() != taken
