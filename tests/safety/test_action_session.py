"""The Rasa server's calls to the action server reuse one kept-open session (storefront/action_session.py).

Rasa's ``EndpointConfig.request`` is called unchanged; the tests count the TCP connections a real
HTTP server sees, and check that nothing (a cookie) travels from one call to the next.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Tuple

import pytest
from aiohttp import web
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from core.action_protocol import DOMAIN_HEADER, DOMAIN_KEPT_HEADER
from storefront import action_session
from tests.safety.action_calls import stand_in_webhook

pytestmark = pytest.mark.asyncio

bodies: List[bytes] = []  # the request bodies the stand-in action server received


@pytest.fixture
async def webhook(unused_tcp_port: int) -> AsyncIterator[Tuple[str, List[Tuple[object, str]]]]:
    """A stand-in action server recording each call's client address and Cookie header."""
    seen: List[Tuple[object, str]] = []
    bodies.clear()

    async def answer(request: web.Request) -> web.Response:
        seen.append((request.transport.get_extra_info("peername"), request.headers.get("Cookie", "")))
        bodies.append(await request.read())
        response = web.json_response({"events": [], "responses": []})
        response.set_cookie("shopper", f"call-{len(seen)}")
        return response

    async with stand_in_webhook(answer, unused_tcp_port) as url:
        yield url, seen


async def _three_calls(url: str) -> List[object]:
    endpoint = EndpointConfig(url=url)
    return [await endpoint.request(json={"next_action": "action_x"}, method="post") for _ in range(3)]


async def test_calls_share_one_connection_and_no_cookies(webhook: Tuple[str, list]) -> None:
    url, seen = webhook
    action_session.install()
    try:
        answers = await _three_calls(url)
    finally:
        await action_session.close_sessions()
        action_session.uninstall()
    assert answers == [{"events": [], "responses": []}] * 3  # Rasa's request, unchanged
    assert len({peer for peer, _ in seen}) == 1  # one keep-alive connection for three calls
    assert [cookie for _, cookie in seen] == ["", "", ""]  # no cookie jar shared between calls


async def test_rasas_own_session_opens_a_connection_per_call(webhook: Tuple[str, list]) -> None:
    """The measurement above can fail: without the install every call is a new connection."""
    url, seen = webhook
    await _three_calls(url)
    assert len({peer for peer, _ in seen}) == 3


async def test_a_closed_session_is_replaced_and_install_is_idempotent(webhook: Tuple[str, list]) -> None:
    url, seen = webhook
    action_session.install()
    action_session.install()
    try:
        await _three_calls(url)
        await action_session.close_sessions()
        await _three_calls(url)
    finally:
        await action_session.close_sessions()
        action_session.uninstall()
        action_session.uninstall()
    assert len({peer for peer, _ in seen}) == 2
    assert EndpointConfig.session is not action_session.kept_session


def _call_body(domain: Dict[str, Any], text: str) -> Dict[str, Any]:
    """A body shaped like Rasa's action call (``_action_call_format``): the domain comes last."""
    tracker = {"sender_id": "ann", "events": [{"event": "user", "text": text, "parse_data": {"intent": {}}}]}
    return {
        "next_action": "action_x",
        "sender_id": "ann",
        "tracker": tracker,
        "version": "3.6",
        "domain": domain,
    }


def test_the_body_is_the_json_json_dumps_gives() -> None:
    domain = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml")).as_dict()
    other = {"responses": {"utter_hi": [{"text": "Grüß dich 🙂"}]}}
    bodies_in = [
        _call_body(domain, "where is my order?"),
        _call_body(domain, "où est ma commande 📦"),  # same domain again: its text is reused
        _call_body(other, "hi"),  # another domain: encoded afresh, never the last one's text
        _call_body(domain, "back to the first"),
        {"domain": domain, "next_action": "action_x"},  # domain not last: plain json.dumps
        {"domain": domain},
        {"next_action": "action_x", "domain": None},
        [1, 2],
        {
            "next_action": "x",
            "tracker": {"text": "a\ud800b </x> é", "n": [1e300, 5e-324, 2**70, float("inf")]},
            "domain": domain,
        },
        {"next_action": "x", "tracker": {1: "int key", None: "null key"}, "domain": domain},
    ]
    for body in bodies_in:
        text = action_session.encode_request(body)
        assert json.loads(text) == json.loads(json.dumps(body))
        assert text.isascii()  # escaped as json.dumps escapes: valid UTF-8 whatever the shopper typed


@pytest.mark.parametrize("unencodable", [object(), b"bytes"])
def test_what_json_cannot_encode_still_raises_json_dumpss_error(unencodable: object) -> None:
    with pytest.raises(TypeError, match="is not JSON serializable"):
        action_session.encode_request({"tracker": {"x": unencodable}, "domain": {}})


async def test_the_action_server_receives_the_same_bytes(webhook: Tuple[str, list]) -> None:
    url, _ = webhook
    domain = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml")).as_dict()
    sent = [_call_body(domain, "first"), _call_body(domain, "second"), _call_body({"slots": {}}, "third")]
    action_session.install()
    try:
        endpoint = EndpointConfig(url=url)
        for body in sent:
            await endpoint.request(json=body, method="post")
    finally:
        await action_session.close_sessions()
        action_session.uninstall()
    assert [json.loads(body) for body in bodies] == [json.loads(json.dumps(body)) for body in sent]
    assert [json.loads(body)["tracker"]["events"][0]["text"] for body in bodies] == [
        "first",
        "second",
        "third",
    ]


# ---- the domain named by digest once the action server holds it (core/action_protocol.py) ----


@pytest.fixture
async def keeping_server(
    unused_tcp_port: int,
) -> AsyncIterator[Tuple[str, List[Dict[str, Any]], Dict[str, Any]]]:
    """A stand-in action server that keeps domains as tools/action_server.py does.

    Yields its URL, what each call carried (digest header, whether a domain came, the status) and
    its state (``kept``: digest -> domain; set ``forget`` to drop them, as a restart would).
    """
    calls: List[Dict[str, Any]] = []
    state: Dict[str, Any] = {"kept": {}}

    async def answer(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        digest = request.headers.get(DOMAIN_HEADER)
        call = {"digest": digest, "carried": "domain" in body}
        calls.append(call)
        headers = {}
        if digest and "domain" in body:
            state["kept"][digest] = body["domain"]
            headers[DOMAIN_KEPT_HEADER] = digest
        elif digest:
            if digest not in state["kept"]:
                call["status"] = 409
                return web.json_response(
                    {"error": "send it"}, status=409, headers={DOMAIN_KEPT_HEADER: "unknown"}
                )
            body["domain"] = state["kept"][digest]
            headers[DOMAIN_KEPT_HEADER] = digest
        call["status"] = 200
        return web.json_response(
            {"events": [], "responses": [{"text": body["domain"]["greeting"]}]}, headers=headers
        )

    async with stand_in_webhook(answer, unused_tcp_port) as url:
        yield url, calls, state


async def test_the_domain_travels_once_then_by_digest_and_again_when_the_server_lost_it(
    keeping_server: Tuple[str, List[Dict[str, Any]], Dict[str, Any]],
) -> None:
    url, calls, state = keeping_server
    first, second = {"greeting": "hello"}, {"greeting": "bonjour"}
    action_session.install()
    try:
        endpoint = EndpointConfig(url=url)

        async def call(domain: Dict[str, Any], text: str) -> Any:
            return await endpoint.request(json=_call_body(domain, text), method="post")

        answers = [await call(first, "a"), await call(first, "b"), await call(first, "c")]
        state["kept"].clear()  # the action server restarted
        answers += [await call(first, "d"), await call(first, "e")]
        answers += [await call(second, "f"), await call(second, "g")]  # a new model's domain
        answers.append(await call(first, "h"))  # the old one is still held by the server
    finally:
        await action_session.close_sessions()
        action_session.uninstall()
    # Rasa gets every answer as if the domain had always been sent
    assert [a["responses"][0]["text"] for a in answers] == ["hello"] * 5 + ["bonjour"] * 2 + ["hello"]
    digests = [c["digest"] for c in calls]
    assert len(set(digests)) == 2 and all(d and len(d) == 64 for d in digests)
    assert [(c["carried"], c["status"]) for c in calls] == [
        (True, 200),  # the first call carries it; the server keeps it
        (False, 200),
        (False, 200),
        (False, 409),  # the restarted server does not hold it ...
        (True, 200),  # ... so the same call goes again with it
        (False, 200),
        (True, 200),  # another domain travels once
        (False, 200),
        (False, 200),
    ]


async def test_a_server_that_does_not_keep_domains_always_gets_them(webhook: Tuple[str, list]) -> None:
    url, _ = webhook  # the stand-in above: rasa-sdk's protocol, no kept header
    domain = {"greeting": "hello"}
    action_session.install()
    try:
        endpoint = EndpointConfig(url=url)
        for text in ("a", "b", "c"):
            await endpoint.request(json=_call_body(domain, text), method="post")
    finally:
        await action_session.close_sessions()
        action_session.uninstall()
    assert [json.loads(body)["domain"] for body in bodies] == [domain] * 3
