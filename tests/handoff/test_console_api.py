"""The console's new API against the real servers: every route authenticates, bad input is a
clear 4xx, the live feed streams, and the watcher releases a claim whose agent's session ended."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests

from store import db
from store.agent_sessions import revoke_agent_sessions
from tests.handoff.console_client import ApiClient, Console
from tests.support.chat import rest_id, say, tracker
from tools.launcher import Stack

pytestmark = pytest.mark.integration

ROUTES: List[Tuple[str, str]] = [
    ("GET", "api/events"), ("GET", "api/agents"), ("GET", "api/history"), ("GET", "api/canned"),
    ("POST", "api/canned"), ("PUT", "api/canned/1"), ("DELETE", "api/canned/1"),
    ("POST", "api/handoffs/1/transfer"), ("POST", "api/handoffs/1/release"), ("POST", "api/handoffs/1/notes"),
    ("GET", "api/handoffs/1/canned/1"), ("GET", "api/handoffs/1/orders/1001"),
    ("POST", "api/handoffs/1/orders/1001/cancel"), ("POST", "api/handoffs/1/orders/1001/address"),
    ("POST", "api/handoffs/1/orders/1001/return"),
]  # fmt: skip


@pytest.mark.parametrize("method,path", ROUTES)
def test_every_new_route_needs_a_credential(stack: Stack, method: str, path: str) -> None:
    url = f"{stack.rasa_url}/webhooks/agent_console/{path}"
    for headers in ({}, {"Authorization": "Bearer wrong-token"}):
        answer = requests.request(method, url, headers=headers, json={}, timeout=30)
        assert answer.status_code == 401 and "error" in answer.json()


def test_cookie_writes_need_the_console_header(stack: Stack) -> None:
    console = Console(stack, "Robin")
    del console.session.headers["X-Requested-With"]
    answer = console.post("api/canned", {"title": "t", "body": "b"})
    assert answer.status_code == 403


def _queued(stack: Stack) -> int:
    sender = f"api-{uuid.uuid4().hex[:8]}"
    say(stack, sender, "/human_handoff")
    return int(Console(stack, "observer").handoff_for(rest_id(sender))["id"])


def test_bad_input_gets_a_clear_4xx(stack: Stack) -> None:
    robin, api = Console(stack, "Robin"), ApiClient(stack)
    handoff = _queued(stack)
    base = f"api/handoffs/{handoff}"
    expected = [
        (robin.post(f"{base}/release"), 409, "claim this conversation first"),
        (robin.post(f"{base}/notes", {"text": "  "}), 400, "text must be 1 to 2000"),
        (robin.post("api/handoffs/999999/notes", {"text": "x"}), 404, "no handoff 999999"),
        (robin.get("api/history", status="lost"), 400, "status must be one of"),
        (robin.get("api/history", limit="0"), 400, "limit must be"),
        (robin.get("api/history", q="x" * 101), 400, "q is at most 100"),
        (robin.post("api/canned", {"title": "Bad", "body": "Hi {name}"}), 400, "unknown placeholder {name}"),
        (robin.post("api/canned", {"title": 3, "body": "x"}), 400, "title must be a string"),
        (
            robin.session.put(f"{robin.base}/api/canned/999999", json={"title": "a", "body": "b"}),
            404,
            "no canned",
        ),
        (robin.session.delete(f"{robin.base}/api/canned/999999"), 404, "no canned reply"),
        (robin.post(f"{base}/orders/1001/cancel", {"confirm": True}), 409, "claim this conversation first"),
    ]
    assert robin.post(f"{base}/claim").status_code == 200
    expected += [
        (robin.post(f"{base}/transfer", {}), 400, 'send {"to"'),
        (robin.post(f"{base}/transfer", {"to": 7}), 400, "to must be an agent's name or null"),
        (robin.post(f"{base}/transfer", {"to": "Nobody Here"}), 409, "Nobody Here is not signed in"),
        (robin.post(f"{base}/transfer", {"to": "robin"}), 400, "already yours"),
        (api.post(f"{base}/transfer", {"to": "Robin"}), 409, "claim this conversation first"),
        (robin.post(f"{base}/orders/1001/cancel", {}), 400, 'send "confirm": true'),
        (
            robin.post(f"{base}/orders/1001/cancel", {"confirm": True}),
            403,
            "not verified in this conversation",
        ),
        (
            robin.post(f"{base}/orders/1001/return", {"confirm": True, "items": []}),
            400,
            "items must be a list",
        ),
        (robin.post(f"{base}/orders/1001/address", {"confirm": True, "city": "X"}), 400, "missing address1"),
        (
            robin.session.post(f"{robin.base}/{base}/notes", data="{not json", timeout=30),
            400,
            "not valid JSON",
        ),
    ]
    made = robin.post("api/canned", {"title": f"Name {uuid.uuid4().hex[:6]}", "body": "Hi {first_name}"})
    assert made.status_code == 201
    expected.append((robin.get(f"{base}/canned/{made.json()['id']}"), 409, "no first name to fill in"))
    for answer, status, message in expected:
        assert (answer.status_code, message in answer.json()["error"]) == (status, True), answer.text
    assert robin.post(f"{base}/resolve").status_code == 200


def _events(stream: requests.Response) -> Iterator[Tuple[str, Dict[str, Any]]]:
    name = None
    for line in stream.iter_lines(decode_unicode=True):
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: ") and name:
            yield name, json.loads(line[6:])


def test_the_live_feed_streams_the_queue_and_each_change(stack: Stack) -> None:
    robin = Console(stack, "Robin")
    with robin.session.get(f"{robin.base}/api/events", stream=True, timeout=60) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = _events(stream)
        assert next(events) == ("hello", {"agent": "Robin"})
        assert next(events)[0] == "queue"
        handoff = _queued(stack)
        for name, data in events:
            if name == "queue" and handoff in [h["id"] for h in data["handoffs"]]:
                break
        assert robin.post(f"api/handoffs/{handoff}/notes", {"text": "watch this one"}).status_code == 201
        for name, data in events:
            if name == "changed" and handoff in data["ids"]:
                break


def test_a_claim_whose_agent_is_signed_out_returns_to_the_queue_and_the_shopper_is_told(
    stack: Stack, store_db_url: str
) -> None:
    kim = Console(stack, f"Kim {uuid.uuid4().hex[:6]}")
    handoff = _queued(stack)
    assert kim.post(f"api/handoffs/{handoff}/claim").status_code == 200
    conversation = kim.detail(handoff)["conversation_id"]
    engine = db.make_engine(store_db_url)
    try:  # the session ends on the server (expired, or the account disabled), not by signing out
        with db.session_scope(engine) as session:
            assert revoke_agent_sessions(session, kim.agent) == 1
    finally:
        engine.dispose()
    observer = Console(stack, "observer")
    deadline = time.monotonic() + 60
    while observer.detail(handoff)["status"] != "queued":
        assert time.monotonic() < deadline, "the watcher never released the claim"
        time.sleep(0.5)
    said = [e["text"] for e in tracker(stack, conversation)["events"] if e["event"] == "bot"]
    assert said[-1].startswith(f"{kim.agent} had to step away")
