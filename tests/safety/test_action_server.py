"""The action server (tools/action_server.py) answers only the Rasa server, and only on loopback.

A forged tracker saying "verified as ava.shopper@example.com" used to get her order from anyone
who could reach port 5055. These tests post one, the way an attacker would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import pytest
import requests

from tests.conftest import TEST_ACTION_SERVER_TOKEN
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def _forged_call() -> Dict[str, Any]:
    slots = {"order_number": "1001", "verified_order": "1001", "order_contact": "ava.shopper@example.com"}
    tracker = {
        "sender_id": "attacker", "slots": slots, "latest_message": {"text": "/order_status"},
        "events": [], "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen",
    }  # fmt: skip
    return {"next_action": "action_order_status", "sender_id": "attacker", "tracker": tracker, "domain": {}}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": TEST_ACTION_SERVER_TOKEN}],
    ids=["no secret", "wrong secret", "secret without Bearer"],
)
def test_a_forged_tracker_without_the_secret_gets_401(action_server: Stack, headers: Dict[str, str]) -> None:
    reply = requests.post(
        f"{action_server.action_url}/webhook", json=_forged_call(), headers=headers, timeout=30
    )
    assert reply.status_code == 401
    assert reply.json() == {"error": "unauthorized"}
    listing = requests.get(f"{action_server.action_url}/actions", headers=headers, timeout=30)
    assert listing.status_code == 401


def test_the_rasa_servers_secret_runs_the_action(action_server: Stack) -> None:
    headers = {"Authorization": f"Bearer {TEST_ACTION_SERVER_TOKEN}"}
    reply = requests.post(
        f"{action_server.action_url}/webhook", json=_forged_call(), headers=headers, timeout=30
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["responses"][0]["response"].startswith("utter_order_")
    listing = requests.get(f"{action_server.action_url}/actions", headers=headers, timeout=30)
    assert {"name": "action_order_status"} in listing.json()


def test_health_is_open_and_says_nothing_else(action_server: Stack) -> None:
    reply = requests.get(f"{action_server.action_url}/health", timeout=30)
    assert (reply.status_code, reply.json()) == (200, {"status": "ok"})


def test_an_unknown_route_is_a_plain_404_even_with_the_secret(action_server: Stack) -> None:
    headers = {"Authorization": f"Bearer {TEST_ACTION_SERVER_TOKEN}"}
    reply = requests.get(f"{action_server.action_url}/nope", headers=headers, timeout=30)
    assert reply.status_code == 404
    assert "request_body" not in reply.json()


def test_its_logs_are_redacted(action_server: Stack) -> None:
    # rasa-sdk logs the name of an action it does not know at ERROR: make that name a contact.
    call = {**_forged_call(), "next_action": "action_for_ava.shopper@example.com"}
    headers = {"Authorization": f"Bearer {TEST_ACTION_SERVER_TOKEN}"}
    reply = requests.post(f"{action_server.action_url}/webhook", json=call, headers=headers, timeout=30)
    assert reply.status_code == 404
    log = (action_server.log_dir / "actions.log").read_text()
    assert "No registered action found for name '[email]'" in log
    assert "ava.shopper@example.com" not in log


def _listening_addresses(port: int) -> set:
    """Local addresses of the TCP sockets listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                found.add(address)
    return found


def test_by_default_it_listens_on_loopback_only(action_server: Stack) -> None:
    assert _listening_addresses(int(action_server.env["ACTION_PORT"])) == {"0100007F"}  # 127.0.0.1
