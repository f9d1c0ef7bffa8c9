"""Inbound messages as WhatsApp's Cloud API delivers them, signed, and fakes served from a thread.

One place for the webhook body Meta posts (``whatsapp_business_account`` → ``entry`` → ``changes``
→ ``value.messages``) and its ``X-Hub-Signature-256`` header, so the end-to-end tests that talk to
a real Rasa server over WhatsApp build it the same way.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
import uuid
from typing import Any, Iterator

import requests

from tools.launcher import Stack


def whatsapp_text_body(number: str, text: str, phone_number_id: str, name: str = "Ana") -> bytes:
    """The webhook body for one text message from ``number`` (timestamp now: the window is open)."""
    message = {"from": number, "id": f"wamid.{uuid.uuid4().hex}", "timestamp": str(int(time.time())),
               "type": "text", "text": {"body": text}}  # fmt: skip
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": phone_number_id},
             "contacts": [{"profile": {"name": name}, "wa_id": number}], "messages": [message]}  # fmt: skip
    entry = {"id": "1", "changes": [{"field": "messages", "value": value}]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


def post_whatsapp(stack: Stack, body: bytes, app_secret: str) -> requests.Response:
    """Post ``body`` to the stack's WhatsApp webhook, signed with the app secret as Meta signs it."""
    signature = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return requests.post(
        f"{stack.rasa_url}/webhooks/whatsapp/webhook", data=body, timeout=60,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
    )  # fmt: skip


def send_whatsapp(
    stack: Stack, number: str, text: str, *, app_secret: str, phone_number_id: str, name: str = "Ana"
) -> None:
    """One signed text message from ``number``, which the channel must accept."""
    reply = post_whatsapp(stack, whatsapp_text_body(number, text, phone_number_id, name), app_secret)
    assert reply.status_code == 200, reply.text


def served_on_thread(fake: Any) -> Iterator[Any]:
    """Serve ``fake`` from an event loop of its own (the servers call it while the test blocks)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(30)
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


__all__ = ["post_whatsapp", "send_whatsapp", "served_on_thread", "whatsapp_text_body"]
