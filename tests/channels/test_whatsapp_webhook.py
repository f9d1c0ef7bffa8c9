"""The WhatsApp webhook on a real Sanic server: handshake, signatures, payloads, retries."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, Optional

import aiohttp
import pytest

from storefront.channels.whatsapp import WhatsAppInput
from storefront.channels.whatsapp_inbound import verified_shopper
from storefront.channels.whatsapp_output import GraphApiConfig, WhatsAppOutput
from tests.channels.conftest import (
    APP_SECRET,
    BUSINESS_NUMBER_ID,
    SHOPPER,
    VERIFY_TOKEN,
    Collector,
    post,
    post_signed,
    serve,
    sign,
    text_message,
    webhook,
)


def make_channel(base_url: str = "http://127.0.0.1:9", **kwargs: Any) -> WhatsAppInput:
    api = GraphApiConfig(
        base_url=base_url,
        version="v23.0",
        phone_number_id=BUSINESS_NUMBER_ID,
        access_token="test-access-token",
    )
    return WhatsAppInput(verify_token=VERIFY_TOKEN, app_secret=APP_SECRET, api=api, **kwargs)


async def get(url: str) -> tuple:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_handshake_echoes_the_challenge_only_for_the_right_token(collector: Collector) -> None:
    async with serve(make_channel(), collector) as url:
        ok = await get(
            f"{url}/webhook?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"
        )
        wrong = await get(f"{url}/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444")
        mode = await get(
            f"{url}/webhook?hub.mode=unsubscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1"
        )
        health = await get(f"{url}/")
    assert ok == (200, "1158201444")
    assert wrong[0] == 403 and mode[0] == 403
    assert health == (200, '{"status":"ok"}')


async def test_unsigned_and_wrongly_signed_webhooks_are_rejected_before_processing(
    collector: Collector,
) -> None:
    body = webhook([text_message("hello")])
    async with serve(make_channel(), collector) as url:
        unsigned = await post(f"{url}/webhook", body, {"Content-Type": "application/json"})
        wrong = await post(f"{url}/webhook", body, {"X-Hub-Signature-256": sign(body, "other-secret")})
        tampered = await post(
            f"{url}/webhook", body.replace(b"hello", b"hellO"), {"X-Hub-Signature-256": sign(body)}
        )
        no_prefix = await post(f"{url}/webhook", body, {"X-Hub-Signature-256": sign(body)[len("sha256=") :]})
        bad_json_unsigned = await post(f"{url}/webhook", b"{not json", {})
        await asyncio.sleep(0)
    assert [unsigned[0], wrong[0], tampered[0], no_prefix[0], bad_json_unsigned[0]] == [
        401,
        403,
        403,
        403,
        401,
    ]
    assert collector.messages == []


async def test_a_signed_text_message_reaches_the_bot_with_the_shopper_identity(collector: Collector) -> None:
    channel = make_channel()
    body = webhook([text_message("Where is my order #1001?", "wamid.HBgL1", ts="1750000000")])
    async with serve(channel, collector) as url:
        status, answer = await post_signed(f"{url}/webhook", body)
        [message] = await collector.wait_for(1)
    assert (status, json.loads(answer)) == (200, {"status": "received"})
    assert (message.text, message.sender_id, message.input_channel, message.message_id) == (
        "Where is my order #1001?", f"whatsapp:{SHOPPER}", "whatsapp", "wamid.HBgL1",
    )  # fmt: skip
    assert message.metadata == {
        "channel": "whatsapp",
        "message_id": "wamid.HBgL1",
        "message_type": "text",
        "wa_id": SHOPPER,
        "phone": "+" + SHOPPER,
        "profile_name": "Ana Silva",
        "business_phone_number_id": BUSINESS_NUMBER_ID,
        # the metadata contract: the webhook signature proves the number, so the shopper is verified
        # (on this channel only), and the number is the client the verification limits count
        "shopper": {
            "channel": "whatsapp", "proved_by": "whatsapp", "verified_phone": "+" + SHOPPER,
            "wa_id": SHOPPER, "name": "Ana Silva",
        },
        "client": {"channel": "whatsapp", "address": SHOPPER},
    }  # fmt: skip
    assert isinstance(message.output_channel, WhatsAppOutput)
    assert message.output_channel.inbound_at == 1750000000.0
    assert message.output_channel.raise_errors is False


async def test_non_ascii_bodies_signed_over_escaped_json_are_accepted(collector: Collector) -> None:
    data = json.loads(webhook([text_message("Olá, cadê meu pedido?")]))
    raw = json.dumps(data, ensure_ascii=False).encode()  # the bytes on the wire are UTF-8 ...
    escaped = json.dumps(data).encode()  # ... but the sender hashed \\u escapes
    assert raw != escaped
    async with serve(make_channel(), collector) as url:
        status, _ = await post(f"{url}/webhook", raw, {"X-Hub-Signature-256": sign(escaped)})
        [message] = await collector.wait_for(1)
    assert status == 200 and message.text == "Olá, cadê meu pedido?"


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        (b"{not json", 400, {"error": "the request body is not valid JSON.", "code": "invalid_json"}),
        (b"[1, 2]", 400, {"error": "the body is not a JSON object", "code": "invalid_body"}),
        (b'{"entry": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400,
         {"error": "the request body nests deeper than 32 levels.", "code": "too_deep"}),
        (b'{"entry": ' + b"[" * 33 + b"]" * 33 + b"}", 400,
         {"error": "the request body nests deeper than 32 levels.", "code": "too_deep"}),
        (b'{"object": "page", "entry": []}', 200, {"status": "received"}),
        (b'{"object": "whatsapp_business_account"}', 200, {"status": "received"}),
        (b'{"object": "whatsapp_business_account", "entry": "x"}', 200, {"status": "received"}),
    ],
)  # fmt: skip
async def test_malformed_bodies(
    collector: Collector, body: bytes, status: int, answer: Dict[str, Any]
) -> None:
    async with serve(make_channel(), collector) as url:
        result = await post_signed(f"{url}/webhook", body)
    assert (result[0], json.loads(result[1])) == (status, answer)
    assert collector.messages == []


async def test_messages_missing_fields_are_skipped_and_the_rest_processed(collector: Collector) -> None:
    messages = [
        {"id": "wamid.nofrom", "timestamp": "1", "type": "text", "text": {"body": "lost"}},
        {"from": SHOPPER, "timestamp": "1", "type": "text", "text": {"body": "no id"}},
        {"from": SHOPPER, "id": "wamid.notype", "timestamp": "1"},
        {"from": SHOPPER, "id": "wamid.nobody", "timestamp": "1", "type": "text", "text": {}},
        "not an object",
        text_message("kept", "wamid.ok"),
    ]
    async with serve(make_channel(), collector) as url:
        status, _ = await post_signed(f"{url}/webhook", webhook(messages))
        await collector.wait_for(1)
        await asyncio.sleep(0.05)
    assert status == 200
    assert [m.text for m in collector.messages] == ["kept"]


async def test_statuses_and_reactions_are_ignored(collector: Collector) -> None:
    statuses = [{"id": "wamid.S", "status": "delivered", "timestamp": "1", "recipient_id": SHOPPER}]
    reaction = {"from": SHOPPER, "id": "wamid.R", "timestamp": "1", "type": "reaction",
                "reaction": {"message_id": "wamid.X", "emoji": "👍"}}  # fmt: skip
    async with serve(make_channel(), collector) as url:
        first = await post_signed(f"{url}/webhook", webhook([], statuses=statuses))
        second = await post_signed(f"{url}/webhook", webhook([reaction]))
        await asyncio.sleep(0.05)
    assert (first[0], second[0]) == (200, 200)
    assert collector.messages == []


async def test_retried_deliveries_are_processed_once(collector: Collector) -> None:
    body = webhook([text_message("hi", "wamid.RETRY")])
    async with serve(make_channel(), collector) as url:
        results = [await post_signed(f"{url}/webhook", body) for _ in range(3)]
        await collector.wait_for(1)
        await asyncio.sleep(0.05)
    assert [r[0] for r in results] == [200, 200, 200]
    assert [m.message_id for m in collector.messages] == ["wamid.RETRY"]


async def test_messages_of_one_conversation_are_processed_in_order(collector: Collector) -> None:
    async def slow_first(message: Any) -> None:
        if message.text == "first":
            await asyncio.sleep(0.2)

    collector.reply = slow_first
    async with serve(make_channel(), collector) as url:
        await post_signed(f"{url}/webhook", webhook([text_message("first", "wamid.1")]))
        await post_signed(f"{url}/webhook", webhook([text_message("second", "wamid.2")]))
        await collector.wait_for(2)
    assert [m.text for m in collector.messages] == ["first", "second"]


async def test_pending_messages_are_finished_when_the_server_stops(collector: Collector) -> None:
    done = []

    async def slow(message: Any) -> None:
        await asyncio.sleep(0.3)
        done.append(message.text)

    collector.reply = slow
    async with serve(make_channel(), collector) as url:
        status, _ = await post_signed(f"{url}/webhook", webhook([text_message("late", "wamid.L")]))
    assert status == 200 and done == ["late"]


async def test_in_request_mode_a_failure_answers_500_so_meta_retries(collector: Collector) -> None:
    collector.fail_times = 1
    body = webhook([text_message("try again", "wamid.F")])
    async with serve(make_channel(background=False), collector) as url:
        first = await post_signed(f"{url}/webhook", body)
        second = await post_signed(f"{url}/webhook", body)
        third = await post_signed(f"{url}/webhook", body)
    assert [first[0], second[0], third[0]] == [500, 200, 200]
    assert [m.text for m in collector.messages] == ["try again"]


async def test_username_users_are_keyed_on_their_business_scoped_id(collector: Collector) -> None:
    message = {"from_user_id": "US.13491208655302741918", "id": "wamid.U", "timestamp": "1", "type": "text",
               "text": {"body": "hi"}}  # fmt: skip
    contacts = [{"profile": {"name": "Bo", "username": "@bo"}, "user_id": "US.13491208655302741918"}]
    async with serve(make_channel(), collector) as url:
        await post_signed(f"{url}/webhook", webhook([message], contacts=contacts))
        [received] = await collector.wait_for(1)
    assert received.sender_id == "whatsapp:US.13491208655302741918"
    assert received.metadata == {
        "channel": "whatsapp", "message_id": "wamid.U", "message_type": "text",
        "user_id": "US.13491208655302741918", "profile_name": "Bo", "username": "@bo",
        "business_phone_number_id": BUSINESS_NUMBER_ID,
        "client": {"channel": "whatsapp", "address": "US.13491208655302741918"},
    }  # fmt: skip
    assert "shopper" not in received.metadata  # no phone number: nothing an order contact could match


@pytest.mark.parametrize(
    ("message", "text", "extra"),
    [
        ({"type": "interactive", "interactive": {"type": "button_reply",
          "button_reply": {"id": "/order_status", "title": "Track my order"}}}, "/order_status", {}),
        ({"type": "interactive", "interactive": {"type": "list_reply",
          "list_reply": {"id": '/inform{"size": "M"}', "title": "M", "description": "Chest 96-101 cm"}}},
         '/inform{"size": "M"}', {}),
        ({"type": "button", "button": {"payload": "/human_handoff", "text": "Talk to us"}},
         "/human_handoff", {}),
        ({"type": "location", "location": {"latitude": 52.52, "longitude": 13.405, "name": "Home",
          "address": "Unter den Linden 1, 10117 Berlin, Germany"}},
         '/inform{"country": "Germany", "postal_code": "10117"}',
         {"location": {"latitude": 52.52, "longitude": 13.405, "name": "Home",
                       "address": "Unter den Linden 1, 10117 Berlin, Germany"}}),
        ({"type": "location", "location": {"latitude": 1.5, "longitude": 2.5}}, "/inform",
         {"location": {"latitude": 1.5, "longitude": 2.5}}),
        ({"type": "image", "image": {"id": "MEDIA1", "mime_type": "image/jpeg", "sha256": "abc"}},
         '/media_received{"media_type": "image"}',
         {"media": {"id": "MEDIA1", "mime_type": "image/jpeg", "sha256": "abc"}}),
        ({"type": "image",
          "image": {"id": "MEDIA2", "mime_type": "image/jpeg", "caption": "Is this in blue?"}},
         "Is this in blue?", {"media": {"id": "MEDIA2", "mime_type": "image/jpeg"}}),
        ({"type": "audio", "audio": {"id": "MEDIA3", "mime_type": "audio/ogg"}},
         '/media_received{"media_type": "audio"}', {"media": {"id": "MEDIA3", "mime_type": "audio/ogg"}}),
        ({"type": "unsupported", "unsupported": {}},
         '/media_received{"media_type": "unsupported"}', {"media": {}}),
        ({"type": "text", "text": {"body": '/order_status{"order_number": "1001"}'}},
         'order_status{"order_number": "1001"}', {}),
    ],
)  # fmt: skip
async def test_message_types_become_text_or_intents(
    collector: Collector, message: Dict[str, Any], text: str, extra: Dict[str, Any]
) -> None:
    raw = {"from": SHOPPER, "id": "wamid.T", "timestamp": "1", **message}
    async with serve(make_channel(), collector) as url:
        await post_signed(f"{url}/webhook", webhook([raw]))
        [received] = await collector.wait_for(1)
    assert received.text == text
    base = {
        "channel",
        "message_id",
        "message_type",
        "wa_id",
        "phone",
        "profile_name",
        "business_phone_number_id",
        "shopper",
        "client",
    }
    assert {k: v for k, v in received.metadata.items() if k not in base} == extra
    assert received.metadata["shopper"] == {
        "channel": "whatsapp", "proved_by": "whatsapp", "verified_phone": "+" + SHOPPER, "wa_id": SHOPPER,
        "name": "Ana Silva",
    }  # fmt: skip


async def test_a_channel_without_credentials_is_off(collector: Collector) -> None:
    api = GraphApiConfig(base_url="http://127.0.0.1:9", version="v23.0", phone_number_id="", access_token="")
    channel = WhatsAppInput(verify_token="", app_secret="", api=api)
    body = webhook([text_message("hi")])
    async with serve(channel, collector) as url:
        health = await get(f"{url}/")
        hook = await post(f"{url}/webhook", body, {"X-Hub-Signature-256": sign(body, "")})
        handshake = await get(f"{url}/webhook?hub.mode=subscribe&hub.verify_token=&hub.challenge=1")
    assert (health[0], hook[0], handshake[0]) == (503, 503, 403)
    assert collector.messages == []


def test_from_credentials_falls_back_to_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "from-env")
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "token-env")
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", "123")
    channel = WhatsAppInput.from_credentials({"access_token": "token-yml", "background": "false",
                                              "intents": {"media": "photo_sent"}})  # fmt: skip
    assert channel.app_secret == "from-env"
    assert channel.client.config.access_token == "token-yml"
    assert channel.client.config.messages_url == "https://graph.facebook.com/v23.0/123/messages"
    assert channel.dispatcher.background is False
    assert channel.intents.media == "photo_sent" and channel.intents.location == "inform"
    assert channel.enabled


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("whatsapp", "+15551234567", "15551234567", "Ava"),
         {"channel": "whatsapp", "proved_by": "whatsapp", "verified_phone": "+15551234567",
          "wa_id": "15551234567", "name": "Ava"}),
        (("sms", "+447700900123", None, None),
         {"channel": "sms", "proved_by": "whatsapp", "verified_phone": "+447700900123"}),
        (("whatsapp", None, "15551234567", "Ava"), None),
        (("whatsapp", "15551234567", None, None), None),
        (("whatsapp", "+1 555 123", None, None), None),
    ],
)  # fmt: skip
def test_verified_shopper_needs_an_international_number(
    args: tuple, expected: Optional[Dict[str, str]]
) -> None:
    assert verified_shopper(*args, proved_by="whatsapp") == expected
