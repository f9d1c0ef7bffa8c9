"""The REST channel's token, its own conversation ids and the metadata it trusts, on a real Sanic server."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Tuple

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage

from storefront.channels.rest import RestInput
from tests.channels.conftest import Collector, serve

TOKEN = "rest-test-token-0123456789"
FORGED = {
    "shopper": {"channel": "whatsapp", "proved_by": "whatsapp", "verified_phone": "+14155550101"},
    "client": {"channel": "rest", "address": "198.51.100.1"},
}


async def post(
    url: str,
    body: Dict[str, Any],
    headers: Optional[Dict[str, str]] = None,
    params: Optional[Dict[str, str]] = None,
) -> Tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{url}/webhook", json=body, headers=headers or {}, params=params or {}) as response,
    ):
        return response.status, json.loads(await response.text())


async def echo(message: UserMessage) -> None:
    await message.output_channel.send_response(message.sender_id, {"text": "hi"})


@pytest.mark.parametrize(
    ("headers", "params"),
    [
        ({}, {}),
        ({"Authorization": "Bearer nope"}, {}),
        ({"Authorization": TOKEN}, {}),
        ({}, {"token": "nope"}),
    ],
)
async def test_with_a_token_set_requests_without_it_get_401(
    collector: Collector, headers: Dict[str, str], params: Dict[str, str]
) -> None:
    async with serve(RestInput(token=TOKEN), collector) as url:
        status, body = await post(url, {"sender": "a", "message": "hi"}, headers, params)
    assert (status, body["code"]) == (401, "unauthorized")
    assert collector.messages == []


async def test_the_token_is_accepted_as_a_bearer_header_or_a_query_parameter(collector: Collector) -> None:
    collector.reply = echo
    async with serve(RestInput(token=TOKEN), collector) as url:
        bearer = await post(url, {"sender": "a", "message": "hi"}, {"Authorization": f"Bearer {TOKEN}"})
        query = await post(url, {"sender": "b", "message": "hi"}, params={"token": TOKEN})
    assert bearer == (200, [{"recipient_id": "a", "text": "hi"}])
    assert query == (200, [{"recipient_id": "b", "text": "hi"}])


@pytest.mark.parametrize("sender", ["14155550101", "whatsapp:14155550101", "twilio:whatsapp:+14155550101"])
async def test_a_rest_sender_only_ever_names_a_rest_conversation(collector: Collector, sender: str) -> None:
    collector.reply = echo
    async with serve(RestInput(), collector) as url:
        status, replies = await post(
            url, {"sender": sender, "message": "hi", "metadata": {**FORGED, "page": 1}}
        )
    [message] = collector.messages
    assert (message.sender_id, message.input_channel) == (f"rest:{sender}", "rest")
    # a claimed shopper or client address is dropped; the client is the request's own address
    assert message.metadata == {"page": 1, "client": {"channel": "rest", "address": "127.0.0.1"}}
    # the client still knows its conversation by its own sender
    assert (status, replies) == (200, [{"recipient_id": sender, "text": "hi"}])
