"""Rasa's own credentials loader builds the channels and mounts them beside its built-in ones."""

from __future__ import annotations

import uuid
from pathlib import Path

import aiohttp
import pytest
from rasa.core.channels.channel import register
from rasa.core.run import create_http_input_channels
from sanic import Sanic

from storefront.channels.twilio_secure import SecureTwilioInput
from storefront.channels.whatsapp import WhatsAppInput
from tools.launcher import free_port

CREDENTIALS = """
rest:
socketio:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
storefront.channels.whatsapp.WhatsAppInput:
  verify_token: ${WHATSAPP_VERIFY_TOKEN}
  app_secret: ${WHATSAPP_APP_SECRET}
storefront.channels.twilio_secure.SecureTwilioInput:
  webhook_url: ${TWILIO_WEBHOOK_URL}
"""


async def test_channels_load_from_credentials_yml_and_mount_beside_builtins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "WHATSAPP_VERIFY_TOKEN": "vt", "WHATSAPP_APP_SECRET": "secret", "WHATSAPP_ACCESS_TOKEN": "token",
        "WHATSAPP_PHONE_NUMBER_ID": "123", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "tt",
        "TWILIO_NUMBER": "+14155550100", "TWILIO_WEBHOOK_URL": "https://shop.example.com/webhooks/twilio/webhook",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    path = tmp_path / "credentials.yml"
    path.write_text(CREDENTIALS)
    channels = create_http_input_channels(None, str(path))
    whatsapp = next(c for c in channels if isinstance(c, WhatsAppInput))
    twilio = next(c for c in channels if isinstance(c, SecureTwilioInput))
    assert (whatsapp.verify_token, whatsapp.app_secret, whatsapp.enabled) == ("vt", "secret", True)
    assert (twilio.webhook_url, twilio.enabled) == ("https://shop.example.com/webhooks/twilio/webhook", True)

    Sanic.test_mode = True
    app = Sanic(f"rasa_like_{uuid.uuid4().hex[:8]}")

    # the same registration `rasa run` performs (its handler calls the agent instead)
    register(channels, app, route="/webhooks/")
    for channel in channels:
        assert channel.url_prefix() in {"rest", "socketio", "whatsapp", "twilio"}
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()
    try:
        async with aiohttp.ClientSession() as session:
            statuses = {}
            for prefix in ("rest", "whatsapp", "twilio"):
                async with session.get(f"http://127.0.0.1:{port}/webhooks/{prefix}/") as response:
                    statuses[prefix] = (response.status, await response.json())
            async with session.get(
                f"http://127.0.0.1:{port}/webhooks/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=42"
            ) as response:
                handshake = (response.status, await response.text())
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
    assert statuses == {prefix: (200, {"status": "ok"}) for prefix in ("rest", "whatsapp", "twilio")}
    assert handshake == (200, "42")
