"""A conversation's events travel to the action server once, then only the new ones (core/action_protocol.py).

The Rasa server's side (storefront/action_session.py) is driven through Rasa's own
``EndpointConfig.request`` against a stand-in action server that keeps events with the real
server's :class:`tools.action_server.KeptEvents`; every call must rebuild, on the server, exactly
the event list the call would have carried whole. The real action server is then checked over HTTP.
"""

from __future__ import annotations

import copy
import json
from typing import Any, AsyncIterator, Dict, List, Tuple

import numpy
import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from core.action_protocol import EVENTS_BASE_HEADER, EVENTS_HEADER, EVENTS_KEPT_HEADER
from storefront import action_session
from tests.safety.action_calls import AUTH, post, stand_in_webhook, validation_call
from tools.action_server import KeptEvents
from tools.launcher import Stack

Calls = List[Dict[str, Any]]


@pytest.fixture
async def events_server(unused_tcp_port: int) -> AsyncIterator[Tuple[str, Calls, Dict[str, Any]]]:
    """A stand-in action server keeping events with the real server's KeptEvents.

    Yields its URL, what each call carried and what the server rebuilt from it, and its state
    (``kept``: replace it with a new KeptEvents to forget everything, as a restart would).
    """
    calls: Calls = []
    state: Dict[str, Any] = {"kept": KeptEvents()}

    async def answer(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        token, named = request.headers.get(EVENTS_HEADER), request.headers.get(EVENTS_BASE_HEADER)
        carried = body["tracker"]["events"]
        call: Dict[str, Any] = {"sender": body["sender_id"], "carried": len(carried), "named": named}
        calls.append(call)
        rebuilt = state["kept"].receive(body["sender_id"], token, named, carried) if token else carried
        if rebuilt is None:
            call["status"] = 409
            return web.json_response(
                {"error": "send them"}, status=409, headers={EVENTS_KEPT_HEADER: "unknown"}
            )
        call["status"], call["rebuilt"] = 200, json.loads(json.dumps(rebuilt))
        headers = {EVENTS_KEPT_HEADER: token} if token else {}
        return web.json_response({"events": [], "responses": []}, headers=headers)

    async with stand_in_webhook(answer, unused_tcp_port) as url:
        yield url, calls, state


class Unpicklable(dict):  # type: ignore[type-arg]
    """A value JSON encodes (a dict) that cannot be copied by pickling."""

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("not picklable")

    def __deepcopy__(self, memo: Dict[int, Any]) -> Unpicklable:
        return Unpicklable(copy.deepcopy(dict(self), memo))


def _event(number: int) -> Dict[str, Any]:
    """An event as Rasa's ``as_dict`` gives it: a user message every third (the classifier's numpy
    values, the tokens as tuples), actions between."""
    if number % 3 == 0:
        intent = {"name": numpy.str_("inform"), "confidence": numpy.float64(0.9)}
        return {
            "event": "user", "timestamp": 1000.0 + number, "text": f"message {number}",
            "parse_data": {"intent": intent, "entities": [], "text_tokens": [(0, 7), (8, 10)]},
            "metadata": {},
        }  # fmt: skip
    return {"event": "action", "timestamp": 1000.0 + number, "name": f"action_{number}", "policy": None}


def _body(sender: str, events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Rasa's action call: fresh dicts every time (``as_dict``), the domain last."""
    tracker = {"sender_id": sender, "slots": {}, "events": copy.deepcopy(events)}
    return {
        "next_action": "action_x",
        "sender_id": sender,
        "tracker": tracker,
        "version": "3.6",
        "domain": {},
    }


async def _send(url: str, sender: str, events: List[Dict[str, Any]]) -> None:
    await EndpointConfig(url=url).request(json=_body(sender, events), method="post")


async def test_only_new_events_travel_and_the_server_rebuilds_every_list_exactly(
    events_server: Tuple[str, Calls, Dict[str, Any]],
) -> None:
    url, calls, state = events_server
    history = [_event(n) for n in range(12)]
    sent: List[List[Dict[str, Any]]] = []

    async def send(sender: str, events: List[Dict[str, Any]]) -> None:
        sent.append(copy.deepcopy(events))
        await _send(url, sender, events)

    action_session.install()
    try:
        await send("ann", history[:6])  # first call: every event
        await send("ann", history[:9])  # three new ones
        await send("ann", history[4:11])  # the window dropped four at the front; two new
        history[6]["parse_data"]["entities"].append({"entity": "size", "value": "M"})  # changed in place
        await send("ann", history[4:12])
        await send("bob", history[4:12])  # the same events in another conversation: all of them
        state["kept"] = KeptEvents()  # the action server restarted
        await send("ann", history[4:12])  # 409, then every event
        await send("ann", history[4:12])  # nothing new: no event travels
        tupled = {"event": "slot", "timestamp": 2000.0, "name": "sizes", "value": ("S", "M")}  # as Rasa's
        await send("ann", [*history[4:12], tupled])
        await send("ann", [*history[4:12], tupled, _event(13)])
        odd = {"event": "slot", "timestamp": 2001.0, "name": "sizes", "value": Unpicklable(S=1)}
        await send("ann", [*history[4:12], tupled, _event(13), odd])  # no snapshot of it: forgotten
        await send("ann", [*history[4:12], tupled, _event(13), odd])
    finally:
        await action_session.close_sessions()
        action_session.uninstall()

    answered = [call for call in calls if call["status"] == 200]
    # the server always had the list the call would have carried whole
    assert [call["rebuilt"] for call in answered] == [json.loads(json.dumps(events)) for events in sent]
    assert [(call["sender"], call["carried"], call["status"]) for call in calls] == [
        ("ann", 6, 200),
        ("ann", 3, 200),
        ("ann", 2, 200),
        ("ann", 6, 200),  # from the changed event on (index 6 of the history, 2 of the window)
        ("bob", 8, 200),
        ("ann", 0, 409),  # the restarted server does not hold the base ...
        ("ann", 8, 200),  # ... so the same call goes again with every event
        ("ann", 0, 200),
        ("ann", 1, 200),
        ("ann", 1, 200),  # the kept tuple is still a tuple, equal to the tuple sent again
        ("ann", 1, 200),
        ("ann", 11, 200),  # the odd value could not be kept on this side: every event again
    ]
    assert [call["named"].split(" ")[1:] for call in calls if call["named"]] == [
        ["0", "6"], ["4", "5"], ["0", "2"], ["0", "8"], ["0", "8"], ["0", "8"], ["0", "9"], ["0", "10"]
    ]  # fmt: skip


async def test_a_server_that_does_not_keep_events_always_gets_them_all(
    events_server: Tuple[str, Calls, Dict[str, Any]],
) -> None:
    url, calls, state = events_server

    class Forgetful(KeptEvents):
        def keep(self, sender: str, token: str, events: List[Any]) -> None:  # keeps nothing
            return None

    state["kept"] = Forgetful()
    history = [_event(n) for n in range(8)]
    action_session.install()
    try:
        for end in (3, 5, 8):
            await _send(url, "ann", history[:end])
    finally:
        await action_session.close_sessions()
        action_session.uninstall()
    # the stand-in says it kept each list, but the base it is later asked for is not there
    assert [(call["carried"], call["status"]) for call in calls] == [
        (3, 200),
        (2, 409),
        (5, 200),
        (3, 409),
        (8, 200),
    ]
    rebuilt = [call["rebuilt"] for call in calls if call["status"] == 200]
    assert rebuilt == [json.loads(json.dumps(history[:end])) for end in (3, 5, 8)]


def test_kept_events_are_bounded_per_conversation_and_never_cross_conversations() -> None:
    kept = KeptEvents(conversations=2, per_conversation=2)
    token = [f"{n:032x}" for n in range(6)]
    assert kept.receive("ann", token[0], None, [{"event": "a"}]) == [{"event": "a"}]
    assert kept.receive("ann", token[1], f"{token[0]} 0 1", [{"event": "b"}]) == [
        {"event": "a"},
        {"event": "b"},
    ]
    assert kept.receive("bob", token[2], f"{token[1]} 0 1", []) is None  # ann's token names nothing for bob
    for named in (f"{token[1]} 1 2", f"{token[1]} -1 1", f"{token[1]} 0", "x 0 1", f"{token[1]} 0 1 2"):
        assert kept.receive("ann", token[3], named, []) is None  # out of range or malformed
    assert kept.receive("ann", token[3], f"{token[1]} 1 1", [{"event": "c"}]) == [
        {"event": "b"},
        {"event": "c"},
    ]
    assert kept.get("ann", token[0]) is None and kept.get("ann", token[1]) is not None  # two per conversation
    kept.receive("bob", token[4], None, [])
    kept.receive("cy", token[5], None, [])
    assert kept.get("ann", token[3]) is None and kept.get("cy", token[5]) == []  # two conversations
    # what is kept is shared by later calls: nobody may change it; each call gets its own list
    given = kept.receive("dee", token[0], None, [{"event": "user", "parse_data": {"entities": []}}])
    assert given is not None
    given.append({"event": "mine"})
    with pytest.raises(TypeError, match="may read it, not change it"):
        given[0]["parse_data"]["entities"].append({"entity": "size"})
    assert kept.get("dee", token[0]) == [{"event": "user", "parse_data": {"entities": []}}]


def _without_events(body: Dict[str, Any]) -> Dict[str, Any]:
    return {**body, "tracker": {**body["tracker"], "events": []}}


@pytest.mark.integration
def test_the_action_server_answers_a_call_by_base_as_the_call_with_every_event(
    action_server: Stack, domain: Dict[str, Any]
) -> None:
    first, second = "a" * 32, "b" * 32
    full = post(action_server, validation_call("ann", domain), {**AUTH, EVENTS_HEADER: first})
    assert full.status_code == 200, full.text
    assert full.headers[EVENTS_KEPT_HEADER] == first
    named: Dict[str, str] = {**AUTH, EVENTS_HEADER: second, EVENTS_BASE_HEADER: f"{first} 0 3"}
    by_base = post(action_server, _without_events(validation_call("ann", domain)), named)
    assert by_base.status_code == 200, by_base.text
    assert by_base.headers[EVENTS_KEPT_HEADER] == second
    assert by_base.json() == full.json()
    # the events matter: the same call without them (rasa-sdk's protocol) answers otherwise
    plain = post(action_server, _without_events(validation_call("ann", domain)), AUTH)
    assert plain.status_code == 200 and EVENTS_KEPT_HEADER not in plain.headers
    assert plain.json() != full.json()


@pytest.mark.integration
def test_a_base_the_action_server_does_not_hold_gets_409_and_nothing_runs_without_the_secret(
    action_server: Stack, domain: Dict[str, Any]
) -> None:
    headers = {EVENTS_HEADER: "c" * 32, EVENTS_BASE_HEADER: f"{'d' * 32} 0 3"}
    refused = post(action_server, _without_events(validation_call("bob", domain)), {**AUTH, **headers})
    assert refused.status_code == 409
    assert refused.headers[EVENTS_KEPT_HEADER] == "unknown"
    assert post(action_server, validation_call("bob", domain), headers).status_code == 401  # the secret first
    post(action_server, validation_call("bob", domain), {**AUTH, EVENTS_HEADER: "e" * 32})
    other = {**AUTH, EVENTS_HEADER: "f" * 32, EVENTS_BASE_HEADER: f"{'e' * 32} 0 3"}
    assert (
        post(action_server, _without_events(validation_call("cy", domain)), other).status_code == 409
    )  # bob's
    # a malformed token is no token: the call is rasa-sdk's
    odd = post(action_server, validation_call("bob", domain), {**AUTH, EVENTS_HEADER: "../../etc"})
    assert odd.status_code == 200 and EVENTS_KEPT_HEADER not in odd.headers
