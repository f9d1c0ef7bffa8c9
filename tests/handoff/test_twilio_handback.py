"""Hand-back on Twilio, end to end: after the agent hands back, the assistant answers again.

Twilio's refusals (here an outage) used to escape the console as a 500 after the handoff was
marked resolved, leaving the conversation paused for good. Runs a second pair of servers with the
Twilio channel switched on and pointed at the fake Twilio API (served from this test's event
loop, so every call to the servers goes through a thread).
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Dict, List
from urllib.parse import urlencode

import pytest
import requests
from twilio.request_validator import RequestValidator

from storefront.channels.conversation_ids import conversation_id
from tests.fakes.twilio_api import FakeTwilioApi
from tests.handoff.console_client import Console
from tests.support.stacks import second_stack_env
from tools.launcher import Stack

pytestmark = pytest.mark.integration

PUBLIC_URL = "https://shop.example.com/webhooks/twilio/webhook"
OUR_NUMBER = "+14155550100"


def _signed_post(stack: Stack, fake: FakeTwilioApi, params: Dict[str, str]) -> requests.Response:
    signature = RequestValidator(fake.auth_token).compute_signature(PUBLIC_URL, params)
    return requests.post(
        f"{stack.rasa_url}/webhooks/twilio/webhook", data=urlencode(params), timeout=60,
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )  # fmt: skip


async def _bodies_after(fake: FakeTwilioApi, seen: int, count: int) -> List[str]:
    """The bodies of the next ``count`` accepted messages after the first ``seen``."""

    async def enough() -> None:
        while len(fake.messages()) < seen + count:
            fake.received.clear()
            await fake.received.wait()

    await asyncio.wait_for(enough(), 90)
    return [message["Body"][0] for message in fake.messages()[seen:]]


async def test_after_hand_back_the_assistant_answers_the_next_twilio_message(
    trained_model: Path, stack_env: Dict[str, str], tmp_path: Path
) -> None:
    fake = await FakeTwilioApi().start()
    env = second_stack_env(
        stack_env, tmp_path, TWILIO_ACCOUNT_SID=fake.account_sid, TWILIO_AUTH_TOKEN=fake.auth_token,
        TWILIO_NUMBER=OUR_NUMBER, TWILIO_WEBHOOK_URL=PUBLIC_URL, TWILIO_API_BASE_URL=fake.base_url,
    )  # fmt: skip
    stack = Stack(model=trained_model, env=env, log_dir=tmp_path / "logs")
    await asyncio.to_thread(stack.start)
    shopper = f"whatsapp:+1555{random.randrange(10**6, 10**7)}"
    sids = (f"SM{n:032d}" for n in range(1, 100))

    async def shopper_says(text: str) -> None:
        params = {"MessageSid": next(sids), "AccountSid": fake.account_sid, "From": shopper,
                  "To": f"whatsapp:{OUR_NUMBER}", "Body": text, "NumMedia": "0"}  # fmt: skip
        reply = await asyncio.to_thread(_signed_post, stack, fake, params)
        assert reply.status_code == 200, reply.text

    try:
        await shopper_says("i want to talk to a person")
        (queued,) = await _bodies_after(fake, 0, 1)
        assert queued.startswith("I've asked a member of our team to join.")

        console = Console(stack, "Sam")
        # the Twilio channel names the conversation twilio:<From> (storefront/channels/conversation_ids.py)
        item = await asyncio.to_thread(console.handoff_for, conversation_id("twilio", shopper))
        assert (item["channel"], item["status"]) == ("twilio", "queued")
        claimed = await asyncio.to_thread(console.post, f"api/handoffs/{item['id']}/claim")
        assert (claimed.status_code, claimed.json()["delivered"]) == (200, True)
        (joined,) = await _bodies_after(fake, 1, 1)
        assert joined == "Sam from our team has joined the chat."

        # Twilio has an outage: the agent's reply is refused with the reason and not recorded, and
        # the hand-back still gives the conversation back to the assistant.
        fake.unavailable = True
        refused = await asyncio.to_thread(
            console.post, f"api/handoffs/{item['id']}/messages", {"text": "Still there?"}
        )
        assert refused.status_code == 409 and refused.json()["channel"] == "twilio"
        assert "20503" in refused.json()["error"]
        back = await asyncio.to_thread(console.post, f"api/handoffs/{item['id']}/handback")
        assert (back.status_code, back.json()) == (
            200,
            {"status": "resolved", "delivered": False, "rating_asked": False},
        )
        detail = await asyncio.to_thread(console.detail, item["id"])
        assert (detail["status"], detail["paused"]) == ("resolved", False)
        assert "Still there?" not in [line["text"] for line in detail["transcript"]]

        fake.unavailable = False
        await shopper_says("hello")
        (greeting,) = await _bodies_after(fake, 2, 1)
        assert greeting.startswith("Hi! I'm the store assistant.")
    finally:
        await asyncio.to_thread(stack.stop)
        await fake.stop()
