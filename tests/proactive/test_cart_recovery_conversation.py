"""A cart-recovery conversation end to end: the widget page reports its cart to the real Rasa server,
the clock moves past the delay, the trigger and the worker send the nudge on the channel the shopper
consented on (a fake WhatsApp Graph API checks the exact request), the shopper replies on WhatsApp,
and the assistant answers about the cart's product; when they then ask for a person, the agent
console's context says which message started the conversation.

The worker's clock is pinned (past the cart's delay, at the shopper's daytime); the servers keep the
real one. The shopper's number is picked from a few countries so that the pinned moment is daytime
for them whatever the hour the test runs, since marketing waits for the recipient's daytime.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
import requests
from phonenumbers import timezone as phone_timezones
from sqlalchemy import select

from core import clock
from core.responses import response_text
from integrations.proactive.providers import WhatsAppCloudSender
from integrations.proactive.worker import Worker
from store.cart_recovery import recovery_delay, scan_cart_recovery
from store.consent import Channel, Purpose, Source, grant
from store.db import make_engine, session_scope
from store.messaging_config import messaging_config
from store.models import Customer, OutboxMessage, ShopperCart, Variant
from storefront.widget_auth import issue_customer_token
from tests.conftest import TEST_WIDGET_SECRET
from tests.fakes.graph_api import FakeGraphApi
from tests.handoff.console_client import Console
from tests.support.messaging import send_whatsapp
from tests.support.stacks import copy_store, second_stack_env
from tools.launcher import Stack

pytestmark = pytest.mark.integration

WA_SECRET, WA_NUMBER_ID, WA_TOKEN = "cart-app-secret", "106540352242922", "cart-access-token"
EMAIL = "cart.recovery@example.com"
# one number per time zone band: at any hour of the day one of them is in its daytime (no +1: Meta's
# pause on marketing templates to US numbers would skip the nudge)
PHONES = ["+44 20 7946 0321", "+81 3 1234 5678", "+55 11 91234 5678", "+61 2 9374 4000", "+91 22 2345 6789"]


def daytime_phone(moment: datetime) -> str:
    """The first number whose local time at ``moment`` is well inside the 08:00-21:00 send window."""
    for raw in PHONES:
        number = phonenumbers.parse(raw, None)
        [zone] = phone_timezones.time_zones_for_number(number)
        local = moment.astimezone(ZoneInfo(zone))
        if 9 <= local.hour < 19:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise AssertionError(f"no number in daytime at {moment}")


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphApi]:
    fake = await FakeGraphApi(phone_number_id=WA_NUMBER_ID, access_token=WA_TOKEN).start()
    yield fake
    await fake.stop()


def _whatsapp(stack: Stack, wa_id: str, text: str) -> None:
    send_whatsapp(stack, wa_id, text, app_secret=WA_SECRET, phone_number_id=WA_NUMBER_ID, name="Cara")


async def _messages_to(
    graph: FakeGraphApi, wa_id: str, count: int, timeout: float = 90.0
) -> List[Dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = [m for m in graph.messages() if m.get("to") == wa_id]
        if len(sent) >= count:
            return sent
        await asyncio.sleep(0.3)
    raise AssertionError(f"fewer than {count} messages reached {wa_id}: {graph.messages()}")


async def _handoff_of(console: Console, conversation: str, timeout: float = 90.0) -> Dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply = await asyncio.to_thread(console.get, "api/handoffs", status="open")
        found = [h for h in reply.json()["handoffs"] if h["conversation_id"] == conversation]
        if found:
            return found[0]
        await asyncio.sleep(0.5)
    raise AssertionError(f"no handoff for {conversation}")


def _text_of(message: Dict[str, Any]) -> str:
    if message["type"] == "text":
        return str(message["text"]["body"])
    if message["type"] == "interactive":
        return str(message["interactive"]["body"]["text"])
    return json.dumps(message)


async def test_a_widget_cart_is_nudged_on_whatsapp_and_the_reply_is_about_the_cart(
    trained_model: Path, stack_env: Dict[str, str], store_db_url: str, tmp_path: Path, graph: FakeGraphApi
) -> None:
    store_url = copy_store(store_db_url, tmp_path)
    engine = make_engine(store_url)
    with session_scope(engine) as session:
        delay = recovery_delay(messaging_config(session))
        phone = daytime_phone(clock.now() + delay + timedelta(minutes=3))
        customer = Customer(
            first_name="Cara", last_name="Lind", email=EMAIL, phone=phone, created_at=clock.now()
        )
        session.add(customer)
        session.flush()
        grant(
            session, channel=Channel.WHATSAPP, address=phone, purpose=Purpose.MARKETING, source=Source.CHAT,
            wording="Can we message you on WhatsApp about your cart and offers?", now=clock.now(),
            customer_id=customer.id,
        )  # fmt: skip
        variant = session.execute(
            select(Variant)
            .where(Variant.size == "M", Variant.inventory_quantity > 0, Variant.sku.like("JKT-%"))
            .order_by(Variant.id)
            .limit(1)
        ).scalar_one()
        sku, title, color, handle, price = (
            variant.sku, variant.product.title, variant.color, variant.product.handle, f"{variant.price:.2f}",
        )  # fmt: skip
    env = second_stack_env(
        stack_env, tmp_path, DATABASE_URL=store_url,
        WHATSAPP_APP_SECRET=WA_SECRET, WHATSAPP_ACCESS_TOKEN=WA_TOKEN, WHATSAPP_PHONE_NUMBER_ID=WA_NUMBER_ID,
        WHATSAPP_API_BASE_URL=graph.base_url, WHATSAPP_VERIFY_TOKEN="cart-verify",
    )  # fmt: skip
    stack = Stack(model=trained_model, env=env, log_dir=tmp_path / "logs")
    await asyncio.to_thread(stack.start)
    try:
        # 1. the storefront page reports the signed-in shopper's cart for its widget conversation
        session_id = uuid.uuid4().hex
        reported = await asyncio.to_thread(
            requests.post,
            f"{stack.rasa_url}/webhooks/storefront/api/cart/report",
            json={
                "session_id": session_id,
                "lines": [{"sku": sku, "quantity": 1}],
                "customer_token": issue_customer_token(TEST_WIDGET_SECRET, EMAIL),
            },
            timeout=30,
        )
        assert reported.status_code == 200, reported.text
        with session_scope(engine) as session:
            cart = session.execute(
                select(ShopperCart).where(ShopperCart.conversation_id == session_id)
            ).scalar_one()
            assert (cart.customer_id, cart.lines) == (customer.id, [{"sku": sku, "quantity": 1}])
            cart_id, updated_at = cart.id, cart.updated_at

        # 2. before the delay nothing is queued; past it the trigger queues one nudge, the worker sends it
        worker = Worker(
            engine, {"whatsapp": WhatsAppCloudSender(graph.base_url, "v23.0", WA_NUMBER_ID, WA_TOKEN)},
            lease=timedelta(minutes=5), batch=20,
        )  # fmt: skip
        with session_scope(engine) as session:
            assert scan_cart_recovery(session, now=updated_at + delay - timedelta(minutes=1)) == []
        later = updated_at + delay + timedelta(minutes=2)
        with clock.pinned(later):
            with session_scope(engine) as session:
                assert len(scan_cart_recovery(session, now=clock.now())) == 1
            assert await asyncio.to_thread(worker.run_once) == 1
        wa_id = phone.lstrip("+")
        items = f"{title} (M, {color})"
        nudge = response_text("utter_proactive_cart_recovery", "whatsapp", {"items": items})
        assert graph.messages() == [
            {
                "messaging_product": "whatsapp",
                "to": wa_id,
                "type": "template",  # the shopper has not written in 24 hours: the approved template
                "template": {
                    "name": "cart_reminder",
                    "language": {"code": "en_US"},
                    "components": [{"type": "body", "parameters": [{"type": "text", "text": nudge}]}],
                },
            }
        ]
        with session_scope(engine) as session:
            [sent] = session.execute(select(OutboxMessage)).scalars().all()
            assert (sent.trigger, sent.channel, sent.recipient, sent.status, sent.params["cart_id"]) == (
                "cart_recovery", "whatsapp", phone, "sent", cart_id,
            )  # fmt: skip

        # 3. the shopper answers on WhatsApp; the assistant answers about the product in the cart
        await asyncio.to_thread(_whatsapp, stack, wa_id, "does the medium fit?")
        replies = (await _messages_to(graph, wa_id, 2))[1:]
        said = " ".join(_text_of(m) for m in replies)
        assert title in said, said
        tracker = await asyncio.to_thread(
            requests.get,
            f"{stack.rasa_url}/conversations/whatsapp:{wa_id}/tracker",
            params={"token": stack.token},
            timeout=30,
        )
        [question] = [e for e in tracker.json()["events"] if e["event"] == "user"]
        assert question["metadata"]["proactive"] == {
            "outbox_id": sent.id,
            "trigger": "cart_recovery",
            "channel": "whatsapp",
            "sent_at": later.isoformat(),
            "cart": [{"sku": sku, "quantity": 1, "price": price}],
            "cart_id": cart_id,
            "product": handle,
        }
        assert tracker.json()["slots"]["product"] == handle

        # 4. asked for a person, the agent console says which message started the conversation
        await asyncio.to_thread(_whatsapp, stack, wa_id, "can I talk to a person please")
        console = Console(stack, "Ana")
        handoff = await _handoff_of(console, f"whatsapp:{wa_id}")
        detail = await asyncio.to_thread(console.detail, handoff["id"])
        assert detail["context"]["started_by"] == {
            "trigger": "cart_recovery", "channel": "whatsapp", "sent_at": later.isoformat(),
            "outbox_id": sent.id,
        }  # fmt: skip
        assert detail["context"]["cart"] == [{"sku": sku, "quantity": 1, "price": price}]
    finally:
        await asyncio.to_thread(stack.stop)
