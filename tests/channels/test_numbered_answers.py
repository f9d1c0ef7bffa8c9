"""A shopper answering "2" to options picks that option's payload (memory and tracker store)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, List

from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from storefront.channels.whatsapp import WhatsAppInput
from storefront.channels.whatsapp_output import GraphApiConfig
from tests.channels.conftest import (
    APP_SECRET,
    BUSINESS_NUMBER_ID,
    SHOPPER,
    VERIFY_TOKEN,
    Collector,
    post_signed,
    serve,
    text_message,
    webhook,
)
from tests.fakes.graph_api import FakeGraphApi

ELEVEN = [{"title": f"Store {n}", "payload": f'/pick_store{{"store": "{n}"}}'} for n in range(1, 12)]


def make_channel(fake: FakeGraphApi, tracker_store: Any = None) -> WhatsAppInput:
    api = GraphApiConfig(base_url=fake.base_url, version="v23.0", phone_number_id=BUSINESS_NUMBER_ID,
                         access_token="test-access-token")  # fmt: skip
    return WhatsAppInput(
        verify_token=VERIFY_TOKEN, app_secret=APP_SECRET, api=api, tracker_store=tracker_store
    )


async def test_numbered_options_sent_by_the_bot_are_answered_by_number(
    graph_api: FakeGraphApi, collector: Collector
) -> None:
    async def offer_stores(message: UserMessage) -> None:
        if message.text == "stores":
            await message.output_channel.send_response(
                message.sender_id, {"text": "Which store?", "buttons": ELEVEN}
            )

    collector.reply = offer_stores
    channel = make_channel(graph_api)
    async with serve(channel, collector) as url:
        await post_signed(f"{url}/webhook", webhook([text_message("stores", "wamid.1")]))
        await collector.wait_for(1)
        await post_signed(f"{url}/webhook", webhook([text_message("2", "wamid.2")]))
        await post_signed(f"{url}/webhook", webhook([text_message("2", "wamid.3")]))
        messages = await collector.wait_for(3)
    await channel.client.close()
    assert graph_api.messages()[0]["text"]["body"].startswith("Which store?\n\n1. Store 1\n2. Store 2\n")
    assert [(m.text, m.metadata.get("typed_text")) for m in messages] == [
        ("stores", None),
        ('/pick_store{"store": "2"}', "2"),
        ("2", None),  # the offer was answered, so a second "2" is just text
    ]


async def tracker_with(path: Path, events: List[Any]) -> SQLTrackerStore:
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    await store.save(DialogueStateTracker.from_events(f"whatsapp:{SHOPPER}", events))
    return store


def said(text: str) -> UserUttered:
    return UserUttered(
        text, {"name": "greet", "confidence": 1.0}, input_channel="whatsapp", timestamp=time.time()
    )


async def test_the_offer_is_read_from_the_tracker_store_after_a_restart(
    graph_api: FakeGraphApi, collector: Collector, tmp_path: Path
) -> None:
    store = await tracker_with(
        tmp_path / "t.db", [said("stores"), BotUttered("Which store?", {"buttons": ELEVEN})]
    )
    async with serve(make_channel(graph_api, store), collector) as url:
        await post_signed(f"{url}/webhook", webhook([text_message("Store 11", "wamid.9")]))
        [message] = await collector.wait_for(1)
    assert (message.text, message.metadata["typed_text"]) == ('/pick_store{"store": "11"}', "Store 11")


async def test_an_offer_the_shopper_already_moved_past_is_not_used(
    graph_api: FakeGraphApi, collector: Collector, tmp_path: Path
) -> None:
    events = [
        said("stores"),
        BotUttered("Which store?", {"buttons": ELEVEN}),
        said("never mind"),
        BotUttered("OK"),
    ]
    store = await tracker_with(tmp_path / "t.db", events)
    async with serve(make_channel(graph_api, store), collector) as url:
        await post_signed(f"{url}/webhook", webhook([text_message("2", "wamid.8")]))
        [message] = await collector.wait_for(1)
    assert message.text == "2" and "typed_text" not in message.metadata
