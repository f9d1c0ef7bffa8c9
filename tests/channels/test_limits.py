"""The shared input limits: JSON size and depth, message length, metadata, Sanic's request size.

Unit tests for :mod:`storefront.channels.limits`, then the REST, WhatsApp and Twilio channels on
a real Sanic server with 100,000+ character inputs (the Rasa stack tests are in
tests/integration/test_input_limits.py).
"""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest

from core.settings import documented_variables
from storefront.channels.limits import (
    DEFAULT_LIMITS,
    RequestRejected,
    cap_text,
    check_message_text,
    check_metadata,
    json_depth,
    parse_json,
)
from storefront.channels.rest import RestInput
from storefront.channels.socketio import max_packet_bytes
from storefront.channels.twilio_secure import SecureTwilioInput
from tests.channels.conftest import Collector, post, post_signed, serve, text_message, webhook
from tests.channels.test_twilio_secure import inbound as twilio_inbound
from tests.channels.test_twilio_secure import make_channel as make_twilio_channel
from tests.channels.test_twilio_secure import send as send_twilio
from tests.channels.test_whatsapp_webhook import make_channel as make_whatsapp_channel

JSON = {"Content-Type": "application/json"}
BIG = 100_000


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def rejected(call: Any) -> tuple:
    with pytest.raises(RequestRejected) as caught:
        call()
    return caught.value.status, caught.value.code


# ---- the helper ----


@pytest.mark.parametrize(
    ("value", "depth"),
    [(1, 0), ("x", 0), ([], 1), ({}, 1), ({"a": [1, {"b": []}]}, 4), (json.loads(deep(900)), 900)],
)
def test_depth_is_measured_without_recursion(value: Any, depth: int) -> None:
    assert json_depth(value) == depth


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (deep(5000), 400, "too_deep"),  # json.loads itself gives up (RecursionError)
        (deep(900), 400, "too_deep"),  # parsed fine, then measured
        (deep(33), 400, "too_deep"),
        ('{"a": ' * 33 + "1" + "}" * 33, 400, "too_deep"),
        ("{nope", 400, "invalid_json"),
        (b"\xff\xfe", 400, "invalid_json"),
        ('"' + "x" * 100 + '"', 413, "too_large"),
    ],
)
def test_bad_json_is_refused_with_a_code(raw: Any, status: int, code: str) -> None:
    assert rejected(lambda: parse_json(raw, max_bytes=100, max_depth=32) if code == "too_large"
                    else parse_json(raw, max_bytes=10**6, max_depth=32)) == (status, code)  # fmt: skip


def test_json_within_the_caps_is_parsed() -> None:
    assert parse_json(deep(32), max_bytes=64, max_depth=32) == json.loads(deep(32))
    # the byte cap counts UTF-8 bytes, not characters
    assert rejected(lambda: parse_json('"éé"', max_bytes=5, max_depth=1)) == (413, "too_large")


def test_message_text() -> None:
    assert check_message_text("hi", max_chars=2) == "hi"
    assert rejected(lambda: check_message_text("x" * BIG, max_chars=5000)) == (413, "message_too_long")
    assert rejected(lambda: check_message_text(" \n", max_chars=5000)) == (400, "empty_message")
    assert rejected(lambda: check_message_text(["hi"], max_chars=5000)) == (400, "missing_message")


def test_metadata() -> None:
    assert check_metadata(None, max_bytes=10, max_depth=2) is None
    assert check_metadata({"page": "/"}, max_bytes=100, max_depth=2) == {"page": "/"}
    assert check_metadata('{"page": "/"}', max_bytes=100, max_depth=2, json_text=True) == {"page": "/"}
    assert rejected(lambda: check_metadata('{"page": "/"}', max_bytes=100, max_depth=2)) == (
        400, "invalid_metadata",
    )  # fmt: skip
    assert rejected(lambda: check_metadata({"x": "y" * BIG}, max_bytes=16_384, max_depth=32)) == (
        413, "metadata_too_large",
    )  # fmt: skip
    nested = {"a": json.loads(deep(40))}
    assert rejected(lambda: check_metadata(nested, max_bytes=16_384, max_depth=32)) == (400, "too_deep")
    assert rejected(lambda: check_metadata(deep(5000), max_bytes=16_384, max_depth=32, json_text=True)) == (
        400,
        "too_deep",
    )


def test_text_from_providers_is_cut_not_refused() -> None:
    assert cap_text("x" * BIG, 5000, channel="twilio") == "x" * 5000
    assert cap_text("short", 5000, channel="twilio") == "short"


def test_the_limits_are_settings_with_the_helper_defaults() -> None:
    documented = documented_variables()
    assert {name: int(str(documented[name])) for name in DEFAULT_LIMITS} == dict(DEFAULT_LIMITS)


def test_a_socketio_packet_holds_the_longest_message_and_metadata_but_not_a_megabyte() -> None:
    limit = max_packet_bytes(DEFAULT_LIMITS["MAX_MESSAGE_CHARS"], DEFAULT_LIMITS["MAX_METADATA_BYTES"])
    longest = json.dumps(
        [
            "user_uttered",
            {"message": "\u2028" * 5000, "session_id": "f" * 32, "customData": {"p": "x" * 16_000}},
        ]
    )
    assert len(longest.encode()) < limit < 1_000_000


# ---- channels on a real Sanic server ----


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"sender": "a", "message": "x" * BIG}, 413, "message_too_long"),
        ({"sender": "a", "message": "hi", "metadata": {"blob": "x" * 2_000_000}}, 413, "too_large"),
        ({"sender": "a", "message": "hi", "metadata": {"blob": "x" * BIG}}, 413, "metadata_too_large"),
        ({"sender": "a", "message": "hi", "metadata": ["x"]}, 400, "invalid_metadata"),
        ({"sender": "a", "message": "hi", "metadata": {"a": json.loads(deep(900))}}, 400, "too_deep"),
        ({"sender": "a" * BIG, "message": "hi"}, 400, "sender_too_long"),
    ],
)
async def test_rest_refuses_big_and_deep_requests(
    collector: Collector, body: Dict[str, Any], status: int, code: str
) -> None:
    async with serve(RestInput(), collector) as url:
        answer = await post(f"{url}/webhook", json.dumps(body).encode(), JSON)
        deep_raw = await post(
            f"{url}/webhook", b'{"sender": "a", "message": "hi", "x": ' + deep(5000).encode() + b"}", JSON
        )
        fine = await post(f"{url}/webhook", json.dumps({"sender": "a", "message": "hi"}).encode(), JSON)
    assert (answer[0], json.loads(answer[1])["code"]) == (status, code)
    assert (deep_raw[0], json.loads(deep_raw[1])["code"]) == (400, "too_deep")
    assert fine[0] == 200
    assert [m.text for m in collector.messages] == ["hi"]


async def test_sanic_refuses_bodies_over_the_request_limit_before_the_handler(collector: Collector) -> None:
    async with serve(RestInput(limits={"MAX_REQUEST_BYTES": 50_000}), collector) as url:
        big = json.dumps({"sender": "a", "message": "x" * BIG}).encode()
        answers = [await post(f"{url}/webhook", big, headers) for headers in (JSON, {})]
        fine = await post(f"{url}/webhook", json.dumps({"sender": "a", "message": "hi"}).encode(), JSON)
    assert [(status, json.loads(body)["code"]) for status, body in answers] == [(413, "too_large")] * 2
    assert fine[0] == 200
    assert [m.text for m in collector.messages] == ["hi"]


async def test_whatsapp_reads_the_first_characters_of_a_huge_signed_message(collector: Collector) -> None:
    async with serve(make_whatsapp_channel(background=False), collector) as url:
        status, _ = await post_signed(f"{url}/webhook", webhook([text_message("a@" * 50_000)]))
        refused = await post_signed(f"{url}/webhook", b'{"object": ' + deep(5000).encode() + b"}")
        fine, _ = await post_signed(f"{url}/webhook", webhook([text_message("hello", "wamid.B2")]))
    assert (status, refused[0], json.loads(refused[1])["code"], fine) == (200, 400, "too_deep", 200)
    assert [m.text for m in collector.messages] == ["a@" * 2500, "hello"]


async def test_twilio_reads_the_first_characters_of_a_huge_signed_message(collector: Collector) -> None:
    channel: SecureTwilioInput = make_twilio_channel(background=False)
    async with serve(channel, collector) as url:
        statuses = [
            (await send_twilio(url, twilio_inbound(body, sid)))[0]
            for sid, body in (("SM1", "1" * BIG), ("SM2", "a" * BIG + "!"), ("SM3", "hello"))
        ]
    assert statuses == [200, 200, 200]
    assert [m.text for m in collector.messages] == ["1" * 5000, "a" * 5000, "hello"]
