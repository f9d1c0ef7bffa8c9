"""The signed Twilio channel: X-Twilio-Signature, numbered options, non-blocking sends."""

from __future__ import annotations

import asyncio
import base64
from typing import Any, Dict, Optional
from urllib.parse import urlencode

import pytest
from rasa.core.channels.channel import UserMessage
from twilio.request_validator import RequestValidator

from storefront.channels.delivery import ChannelDeliveryError
from storefront.channels.twilio_secure import (
    EMPTY_TWIML,
    SecureTwilioInput,
    SecureTwilioOutput,
    TwilioDeliveryError,
)
from tests.channels.conftest import Collector, post, serve
from tests.fakes.twilio_api import FakeTwilioApi

PUBLIC_URL = "https://shop.example.com/webhooks/twilio/webhook"
OUR_NUMBER = "+14155550100"
SHOPPER_WA = "whatsapp:+15551234567"


def make_channel(
    fake: Optional[FakeTwilioApi] = None, webhook_url: str = PUBLIC_URL, **kwargs: Any
) -> SecureTwilioInput:
    sid = fake.account_sid if fake else "AC" + "0" * 32
    token = fake.auth_token if fake else "test-twilio-token"
    base = fake.base_url if fake else "http://127.0.0.1:9"
    return SecureTwilioInput(sid, token, OUR_NUMBER, webhook_url=webhook_url, api_base_url=base, **kwargs)


def inbound(body: str = "hello", sid: str = "SM1", sender: str = SHOPPER_WA, **extra: str) -> Dict[str, str]:
    return {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender, "To": f"whatsapp:{OUR_NUMBER}",
            "Body": body, "NumMedia": "0", **extra}  # fmt: skip


TOKEN = "test-twilio-token"


async def send(url: str, params: Dict[str, str], signed_url: str = PUBLIC_URL, token: str = TOKEN,
               signature: Optional[str] = None) -> tuple:  # fmt: skip
    header = (
        signature if signature is not None else RequestValidator(token).compute_signature(signed_url, params)
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": header}
    return await post(f"{url}/webhook", urlencode(params).encode(), headers)


async def test_a_correctly_signed_message_reaches_the_bot(
    twilio_api: FakeTwilioApi, collector: Collector
) -> None:
    async with serve(make_channel(twilio_api), collector) as url:
        status, answer = await send(url, inbound("Where is #1001?", ProfileName="Ana", WaId="15551234567"))
        [message] = await collector.wait_for(1)
    assert (status, answer) == (200, EMPTY_TWIML)
    assert (message.text, message.sender_id, message.input_channel, message.message_id) == (
        "Where is #1001?", f"twilio:{SHOPPER_WA}", "twilio", "SM1",
    )  # fmt: skip
    assert message.metadata == {
        "channel": "whatsapp", "provider": "twilio", "message_id": "SM1",
        "phone": "+15551234567", "wa_id": "15551234567", "profile_name": "Ana",
        # the metadata contract: the checked signature makes the sender's number verified (on
        # this channel only), and the number is the client the verification limits count
        "shopper": {
            "channel": "whatsapp", "proved_by": "twilio", "verified_phone": "+15551234567",
            "wa_id": "15551234567", "name": "Ana",
        },
        "client": {"channel": "twilio", "address": SHOPPER_WA},
    }  # fmt: skip


async def test_an_sms_sender_is_a_verified_sms_shopper(collector: Collector) -> None:
    async with serve(make_channel(), collector) as url:
        status, _ = await send(url, inbound("hi", sender="+15557654321"))
        [message] = await collector.wait_for(1)
    assert status == 200
    assert (message.sender_id, message.metadata["channel"], message.metadata["shopper"]) == (
        "twilio:+15557654321", "sms",
        {"channel": "sms", "proved_by": "twilio", "verified_phone": "+15557654321"},
    )  # fmt: skip


async def test_missing_wrong_and_wrong_url_signatures_are_rejected(collector: Collector) -> None:
    params = inbound()
    async with serve(make_channel(), collector) as url:
        missing = await post(f"{url}/webhook", urlencode(params).encode(), {})
        wrong = await send(url, params, signature="bm90IGEgc2lnbmF0dXJl")
        other_token = await send(url, params, token="someone-else")
        local_url = await send(url, params, signed_url=f"{url}/webhook")  # a proxy rewrote the URL
        tampered = await send(url, {**params, "Body": "changed"}, signature=RequestValidator(
            "test-twilio-token").compute_signature(PUBLIC_URL, params))  # fmt: skip
        await asyncio.sleep(0.05)
    assert [missing[0], wrong[0], other_token[0], local_url[0], tampered[0]] == [401, 403, 403, 403, 403]
    assert collector.messages == []


async def test_without_a_public_url_the_request_url_is_what_twilio_signed(collector: Collector) -> None:
    async with serve(make_channel(webhook_url=""), collector) as url:
        status, _ = await send(url, inbound(), signed_url=f"{url}/webhook")
        await collector.wait_for(1)
    assert status == 200


async def test_the_query_string_is_part_of_the_signed_url(collector: Collector) -> None:
    params = inbound()
    signature = RequestValidator("test-twilio-token").compute_signature(PUBLIC_URL + "?tenant=7", params)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    async with serve(make_channel(), collector) as url:
        status, _ = await post(f"{url}/webhook?tenant=7", urlencode(params).encode(), headers)
        await collector.wait_for(1)
    assert status == 200


async def test_redeliveries_are_processed_once(collector: Collector) -> None:
    async with serve(make_channel(), collector) as url:
        results = [await send(url, inbound(sid="SMdup")) for _ in range(2)]
        await collector.wait_for(1)
        await asyncio.sleep(0.05)
    assert [r[0] for r in results] == [200, 200] and len(collector.messages) == 1


@pytest.mark.parametrize(
    ("params", "text", "extra"),
    [
        ({"Body": "", "NumMedia": "1", "MediaUrl0": "https://api.twilio.com/media/ME1",
          "MediaContentType0": "image/jpeg"},
         '/media_received{"media_type": "image"}',
         {"media": {"url": "https://api.twilio.com/media/ME1", "mime_type": "image/jpeg"}}),
        ({"Body": "", "Latitude": "51.5", "Longitude": "-0.12",
          "Address": "10 Downing St, London SW1A 2AA, United Kingdom"},
         '/inform{"country": "United Kingdom", "postal_code": "SW1A 2AA"}',
         {"location": {"latitude": "51.5", "longitude": "-0.12",
                       "address": "10 Downing St, London SW1A 2AA, United Kingdom"}}),
        ({"Body": "/restart"}, "restart", {}),
    ],
)  # fmt: skip
async def test_media_locations_and_slash_commands(
    collector: Collector, params: Dict[str, str], text: str, extra: Dict[str, Any]
) -> None:
    async with serve(make_channel(), collector) as url:
        status, _ = await send(url, {**inbound(), **params})
        [message] = await collector.wait_for(1)
    assert status == 200 and message.text == text
    base = {"channel", "provider", "message_id", "phone", "wa_id", "profile_name", "shopper", "client"}
    assert {k: v for k, v in message.metadata.items() if k not in base} == extra


async def test_a_request_without_sender_is_refused(collector: Collector) -> None:
    params = {k: v for k, v in inbound().items() if k != "From"}
    async with serve(make_channel(), collector) as url:
        status, _ = await send(url, params)
    assert status == 400 and collector.messages == []


def basic(fake: FakeTwilioApi) -> str:
    return "Basic " + base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()


async def test_buttons_go_out_as_one_numbered_message_and_a_number_picks_one(
    twilio_api: FakeTwilioApi, collector: Collector
) -> None:
    buttons = [
        {"title": "Track my order", "payload": "/order_status"},
        {"title": "Talk to a person", "payload": "/human_handoff"},
    ]

    async def offer(message: UserMessage) -> None:
        if message.text == "menu":
            await message.output_channel.send_response(
                message.sender_id, {"text": "What do you need?", "buttons": buttons}
            )

    collector.reply = offer
    async with serve(make_channel(twilio_api), collector) as url:
        await send(url, inbound("menu", sid="SM1"))
        await collector.wait_for(1)
        await send(url, inbound("2", sid="SM2"))
        messages = await collector.wait_for(2)
    [request] = twilio_api.requests
    assert (request.method, request.path, request.status) == (
        "POST", f"/2010-04-01/Accounts/{twilio_api.account_sid}/Messages.json", 201,
    )  # fmt: skip
    assert request.headers["Authorization"] == basic(twilio_api)
    assert request.body == {
        "To": [SHOPPER_WA], "From": [f"whatsapp:{OUR_NUMBER}"],
        "Body": ["What do you need?\n\n1. Track my order\n2. Talk to a person"],
    }  # fmt: skip
    assert (messages[1].text, messages[1].metadata["typed_text"]) == ("/human_handoff", "2")


async def test_sms_replies_come_from_the_plain_number_and_split_at_1600(twilio_api: FakeTwilioApi) -> None:
    output = make_channel(twilio_api).get_output_channel()
    conversation = "twilio:+15557654321"  # Rasa and the agent console address the conversation id
    await output.send_response(conversation, {"text": "a" * 1600})
    await output.send_response(conversation, {"text": "b" * 1000 + " " + "c" * 600})
    await output.send_response(conversation, {"image": "https://shop.example/tee.jpg"})
    assert twilio_api.messages() == [
        {"To": ["+15557654321"], "From": [OUR_NUMBER], "Body": ["a" * 1600]},
        {"To": ["+15557654321"], "From": [OUR_NUMBER], "Body": ["b" * 1000]},
        {"To": ["+15557654321"], "From": [OUR_NUMBER], "Body": ["c" * 600]},
        {"To": ["+15557654321"], "From": [OUR_NUMBER], "MediaUrl": ["https://shop.example/tee.jpg"]},
    ]
    assert output.sent_sids == [f"SM{n:032d}" for n in range(1, 5)]


async def test_sending_does_not_block_the_event_loop(twilio_api: FakeTwilioApi) -> None:
    # The fake answers only after this test opens the gate from the same event loop: a client
    # that blocked the loop while waiting for the answer would never let that happen.
    twilio_api.gate = asyncio.Event()
    output = make_channel(twilio_api).get_output_channel()
    sending = asyncio.ensure_future(output.send_text_message(SHOPPER_WA, "hi"))
    await asyncio.wait_for(twilio_api.received.wait(), 10)
    assert not sending.done()
    twilio_api.gate.set()
    await asyncio.wait_for(sending, 10)
    assert [r.status for r in twilio_api.requests] == [201]


async def test_errors_are_raised_for_agents_and_logged_for_bot_replies(twilio_api: FakeTwilioApi) -> None:
    channel = make_channel(twilio_api)
    twilio_api.auth_token = "rotated"
    with pytest.raises(TwilioDeliveryError) as raised:
        await channel._output(raise_errors=True).send_response(SHOPPER_WA, {"text": "hi"})
    assert isinstance(raised.value, ChannelDeliveryError)
    assert (raised.value.status, raised.value.code) == (401, 20003)
    quiet: SecureTwilioOutput = channel._output(raise_errors=False)
    await quiet.send_response(SHOPPER_WA, {"text": "hi"})
    assert quiet.sent_sids == [] and [r.status for r in twilio_api.requests] == [401, 401]


async def test_an_unreachable_twilio_is_a_delivery_error_for_agents() -> None:
    output = make_channel().get_output_channel()  # http://127.0.0.1:9: nothing listens there
    with pytest.raises(TwilioDeliveryError, match="no answer from Twilio for whatsapp:") as raised:
        await output.send_response(SHOPPER_WA, {"text": "hi"})
    assert (raised.value.status, raised.value.code, output.sent_sids) == (0, None, [])


async def test_a_channel_without_credentials_is_off(collector: Collector) -> None:
    channel = SecureTwilioInput("", "", "", webhook_url=PUBLIC_URL)
    async with serve(channel, collector) as url:
        status, _ = await send(url, inbound(), token="x")
    assert status == 503 and collector.messages == []


def test_from_credentials_falls_back_to_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "ACenv")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token-env")
    monkeypatch.setenv("TWILIO_NUMBER", "whatsapp:+14155550100")
    monkeypatch.setenv("TWILIO_WEBHOOK_URL", PUBLIC_URL)
    channel = SecureTwilioInput.from_credentials({"auth_token": "token-yml"})
    assert (channel.account_sid, channel.auth_token, channel.twilio_number) == (
        "ACenv",
        "token-yml",
        "whatsapp:+14155550100",
    )
    assert (channel.webhook_url, channel.api_base_url, channel.name()) == (
        PUBLIC_URL,
        "https://api.twilio.com",
        "twilio",
    )
    assert channel.enabled
