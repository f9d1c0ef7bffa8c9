"""Outbound WhatsApp messages, checked by the fake Graph API, and the 24-hour window."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import IS_EXTERNAL
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from core import clock
from store.consent import Channel
from store.db import session_scope
from store.keywords import Keyword, apply_keyword
from storefront.channels.whatsapp import WhatsAppInput
from storefront.channels.whatsapp_output import (
    GraphApiConfig,
    WhatsAppApiError,
    WhatsAppOptedOutError,
    WhatsAppOutput,
    WhatsAppWindowClosedError,
)
from tests.channels.conftest import APP_SECRET, BUSINESS_NUMBER_ID, SHOPPER, VERIFY_TOKEN
from tests.fakes.graph_api import FakeGraphApi

HOUR = 3600.0
_channels: List[WhatsAppInput] = []


@pytest.fixture(autouse=True)
async def close_clients() -> Any:
    yield
    while _channels:
        await _channels.pop().client.close()


def channel_for(
    fake: FakeGraphApi,
    template: str = "",
    tracker_store: Any = None,
    label: Optional[str] = "Choose",
    ledger: bool = False,
):
    api = GraphApiConfig(
        base_url=fake.base_url, version="v23.0", phone_number_id=BUSINESS_NUMBER_ID,
        access_token="test-access-token", template_name=template, template_language="en_GB",
    )  # fmt: skip
    channel = WhatsAppInput(
        verify_token=VERIFY_TOKEN,
        app_secret=APP_SECRET,
        api=api,
        tracker_store=tracker_store,
        list_button_label=label,
        ledger=ledger,
    )
    _channels.append(channel)
    return channel


def reply_channel(fake: FakeGraphApi, label: Optional[str] = "Choose") -> WhatsAppOutput:
    """The output channel Rasa gets for a message the shopper just sent."""
    channel = channel_for(fake, label=label)
    return channel._output(inbound_at=time.time(), raise_errors=True)


def text(body: str, to: str = SHOPPER) -> Dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text",
            "text": {"preview_url": True, "body": body}}  # fmt: skip


def rasa_buttons(*titles: str) -> List[Dict[str, str]]:
    return [{"title": title, "payload": f'/pick{{"n": "{n}"}}'} for n, title in enumerate(titles, 1)]


async def test_text_goes_to_the_messages_endpoint_with_the_bearer_token(graph_api: FakeGraphApi) -> None:
    output = reply_channel(graph_api)
    await output.send_response(SHOPPER, {"text": "Your order #1001 shipped today."})
    [request] = graph_api.requests
    assert (request.method, request.path, request.status) == (
        "POST",
        f"/v23.0/{BUSINESS_NUMBER_ID}/messages",
        200,
    )
    assert request.headers["Authorization"] == "Bearer test-access-token"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == text("Your order #1001 shipped today.")
    assert output.sent_ids == ["wamid.fake1"]


async def test_the_namespaced_conversation_id_reaches_meta_as_the_bare_wa_id(graph_api: FakeGraphApi) -> None:
    output = reply_channel(graph_api)
    await output.send_response(f"whatsapp:{SHOPPER}", {"text": "Hello from the team"})
    await output.send_response("whatsapp:US.13491208655302741918", {"text": "Hi Bo"})
    [to_number, to_user] = graph_api.messages()
    assert to_number == text("Hello from the team")
    assert (to_user.get("recipient"), "to" in to_user) == ("US.13491208655302741918", False)


async def test_text_of_4096_characters_is_one_message_and_4097_is_two(graph_api: FakeGraphApi) -> None:
    output = reply_channel(graph_api)
    await output.send_text_message(SHOPPER, "a" * 4096)
    await output.send_text_message(SHOPPER, "b" * 2100 + " " + "c" * 1996)
    assert graph_api.messages() == [text("a" * 4096), text("b" * 2100), text("c" * 1996)]


async def test_three_buttons_are_reply_buttons_with_payload_ids(graph_api: FakeGraphApi) -> None:
    output = reply_channel(graph_api)
    await output.send_response(
        SHOPPER, {"text": "How can I help?", "buttons": rasa_buttons("Track order", "Returns", "a" * 20)}
    )
    assert graph_api.messages() == [{
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": SHOPPER, "type": "interactive",
        "interactive": {"type": "button", "body": {"text": "How can I help?"}, "action": {"buttons": [
            {"type": "reply", "reply": {"id": '/pick{"n": "1"}', "title": "Track order"}},
            {"type": "reply", "reply": {"id": '/pick{"n": "2"}', "title": "Returns"}},
            {"type": "reply", "reply": {"id": '/pick{"n": "3"}', "title": "a" * 20}},
        ]}},
    }]  # fmt: skip


async def test_four_buttons_or_a_21_character_title_become_a_list(graph_api: FakeGraphApi) -> None:
    output = reply_channel(graph_api)
    await output.send_response(SHOPPER, {"text": "Size?", "buttons": rasa_buttons("S", "M", "L", "XL")})
    await output.send_response(SHOPPER, {"text": "Which?", "buttons": rasa_buttons("b" * 21, "Other")})
    first, second = graph_api.messages()
    assert first["interactive"] == {
        "type": "list", "body": {"text": "Size?"},
        "action": {"button": "Choose", "sections": [{"rows": [
            {"id": '/pick{"n": "1"}', "title": "S"}, {"id": '/pick{"n": "2"}', "title": "M"},
            {"id": '/pick{"n": "3"}', "title": "L"}, {"id": '/pick{"n": "4"}', "title": "XL"},
        ]}]},
    }  # fmt: skip
    assert [row["title"] for row in second["interactive"]["action"]["sections"][0]["rows"]] == [
        "b" * 21,
        "Other",
    ]


async def test_ten_options_are_a_list_and_eleven_are_numbered_text(graph_api: FakeGraphApi) -> None:
    output = reply_channel(graph_api)
    ten = [f"Colour {n}" for n in range(1, 11)]
    await output.send_response(SHOPPER, {"text": "Pick a colour", "buttons": rasa_buttons(*ten)})
    await output.send_response(SHOPPER, {"text": "Pick a colour", "buttons": rasa_buttons(*ten, "Colour 11")})
    listed, numbered = graph_api.messages()
    assert len(listed["interactive"]["action"]["sections"][0]["rows"]) == 10
    assert numbered == text("Pick a colour\n\n" + "\n".join(f"{n}. Colour {n}" for n in range(1, 12)))


async def test_duplicate_titles_and_a_missing_list_label_fall_back_to_numbered_text(
    graph_api: FakeGraphApi,
) -> None:
    await reply_channel(graph_api).send_response(
        SHOPPER, {"text": "Which?", "buttons": rasa_buttons("Blue", "blue")}
    )
    await reply_channel(graph_api, label=None).send_response(
        SHOPPER, {"text": "Size?", "buttons": rasa_buttons("S", "M", "L", "XL")}
    )
    assert graph_api.messages() == [
        text("Which?\n\n1. Blue\n2. blue"),
        text("Size?\n\n1. S\n2. M\n3. L\n4. XL"),
    ]


async def test_long_text_with_buttons_sends_the_head_first_and_buttons_under_1024(
    graph_api: FakeGraphApi,
) -> None:
    body = "x" * 700 + " " + "y" * 700
    await reply_channel(graph_api).send_response(
        SHOPPER, {"text": body, "buttons": rasa_buttons("Yes", "No")}
    )
    head, tail = graph_api.messages()
    assert head == text("x" * 700)
    assert tail["interactive"]["body"] == {"text": "y" * 700}


async def test_images_documents_and_custom_whatsapp_payloads(graph_api: FakeGraphApi) -> None:
    output = reply_channel(graph_api)
    await output.send_response(SHOPPER, {"image": "https://shop.example/tee.jpg"})
    await output.send_response(SHOPPER, {"attachment": "https://shop.example/size-chart.pdf"})
    await output.send_response(
        SHOPPER, {"custom": {"whatsapp": {"type": "document", "document": {"id": "MEDIA9"}}}}
    )
    await output.send_response(SHOPPER, {"custom": {"widget": {"carousel": []}}})
    assert graph_api.messages() == [
        {"messaging_product": "whatsapp", "recipient_type": "individual", "to": SHOPPER, "type": "image",
         "image": {"link": "https://shop.example/tee.jpg"}},
        {"messaging_product": "whatsapp", "recipient_type": "individual", "to": SHOPPER, "type": "document",
         "document": {"link": "https://shop.example/size-chart.pdf"}},
        {"messaging_product": "whatsapp", "to": SHOPPER, "type": "document", "document": {"id": "MEDIA9"}},
    ]  # fmt: skip


async def test_username_users_are_addressed_by_recipient(graph_api: FakeGraphApi) -> None:
    await reply_channel(graph_api).send_text_message("US.13491208655302741918", "hi")
    assert graph_api.messages() == [{"messaging_product": "whatsapp", "recipient_type": "individual",
        "recipient": "US.13491208655302741918", "type": "text",
        "text": {"preview_url": True, "body": "hi"}}]  # fmt: skip


async def test_api_errors_are_raised_for_agents_and_logged_for_bot_replies(graph_api: FakeGraphApi) -> None:
    graph_api.fail_next(400, 131026, "Message undeliverable")
    with pytest.raises(WhatsAppApiError) as raised:
        await reply_channel(graph_api).send_response(SHOPPER, {"text": "hi"})
    assert (raised.value.status, raised.value.code) == (400, 131026)
    graph_api.fail_next(500, 1, "An unknown error occurred")
    quiet = channel_for(graph_api)._output(inbound_at=time.time(), raise_errors=False)
    await quiet.send_response(SHOPPER, {"text": "hi"})
    assert [r.status for r in graph_api.requests] == [400, 500]


async def test_a_wrong_token_is_refused_by_the_api(graph_api: FakeGraphApi) -> None:
    graph_api.access_token = "rotated"
    with pytest.raises(WhatsAppApiError) as raised:
        await reply_channel(graph_api).send_response(SHOPPER, {"text": "hi"})
    assert (raised.value.status, raised.value.code) == (401, 190)


# --- the 24-hour window, read from a real SQL tracker store ---------------------------------


async def tracker_store_with(path: Path, events: List[Any], sender: str = SHOPPER) -> SQLTrackerStore:
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    await store.save(DialogueStateTracker.from_events(sender, events))
    return store


def shopper_said(text: str, at: float, channel: str = "whatsapp", **metadata: Any) -> UserUttered:
    return UserUttered(
        text, {"name": "greet", "confidence": 1.0}, input_channel=channel, timestamp=at, metadata=metadata
    )


async def test_an_agent_reply_within_24_hours_is_free_form(graph_api: FakeGraphApi, tmp_path: Path) -> None:
    store = await tracker_store_with(tmp_path / "t.db", [shopper_said("hi", time.time() - 23 * HOUR)])
    await (
        channel_for(graph_api, tracker_store=store)
        .get_output_channel()
        .send_response(SHOPPER, {"text": "An agent here."})
    )
    assert graph_api.messages() == [text("An agent here.")]


async def test_after_24_hours_without_a_template_the_send_is_refused(
    graph_api: FakeGraphApi, tmp_path: Path
) -> None:
    last = time.time() - 25 * HOUR
    store = await tracker_store_with(tmp_path / "t.db", [shopper_said("hi", last)])
    with pytest.raises(WhatsAppWindowClosedError) as raised:
        await (
            channel_for(graph_api, tracker_store=store)
            .get_output_channel()
            .send_response(SHOPPER, {"text": "Late."})
        )
    assert (raised.value.conversation_id, raised.value.last_inbound_at) == (SHOPPER, pytest.approx(last))
    assert graph_api.requests == []


async def test_after_24_hours_the_template_carries_the_text(graph_api: FakeGraphApi, tmp_path: Path) -> None:
    store = await tracker_store_with(tmp_path / "t.db", [shopper_said("hi", time.time() - 30 * HOUR)])
    output = channel_for(graph_api, template="agent_reply", tracker_store=store).get_output_channel()
    await output.send_response(SHOPPER, {"text": "Sorry for the wait.\n\nYour refund is done."})
    assert graph_api.messages() == [{
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": SHOPPER, "type": "template",
        "template": {"name": "agent_reply", "language": {"code": "en_GB"}, "components": [
            {"type": "body", "parameters": [
                {"type": "text", "text": "Sorry for the wait. Your refund is done."}]}]},
    }]  # fmt: skip


async def test_a_restart_keeps_the_window_because_it_lives_in_the_tracker(
    graph_api: FakeGraphApi, tmp_path: Path
) -> None:
    await tracker_store_with(tmp_path / "t.db", [shopper_said("hi", time.time() - 2 * HOUR)])
    reopened = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    output = channel_for(graph_api, tracker_store=reopened).get_output_channel()
    assert await output.window_is_open(SHOPPER) is True


async def test_triggered_intents_and_other_channels_do_not_open_the_window(
    graph_api: FakeGraphApi, tmp_path: Path
) -> None:
    now = time.time()
    events = [
        shopper_said("hi", now - 48 * HOUR),
        shopper_said("EXTERNAL: reminder", now - HOUR, **{IS_EXTERNAL: True}),
        shopper_said("from the widget", now - HOUR, channel="socketio"),
    ]
    store = await tracker_store_with(tmp_path / "t.db", events)
    output = channel_for(graph_api, tracker_store=store).get_output_channel()
    assert await output.window_is_open(SHOPPER) is False
    with pytest.raises(WhatsAppWindowClosedError):
        await output.send_response(SHOPPER, {"text": "Reminder"})


async def test_a_shopper_who_sent_stop_gets_no_template_until_start(
    graph_api: FakeGraphApi, tmp_path: Path, store_db_url: str, use_store: Any
) -> None:
    use_store(store_db_url)
    events = [shopper_said("hello", time.time() - 40 * HOUR)]
    store = await tracker_store_with(tmp_path / "t.db", events)
    channel = channel_for(graph_api, template="agent_reply", tracker_store=store, ledger=True)
    phone, now = f"+{SHOPPER}", clock.now()
    with session_scope() as session:
        apply_keyword(
            session, keyword=Keyword.OPT_OUT, word="STOP", channel=Channel.WHATSAPP, address=phone, now=now
        )
    with pytest.raises(WhatsAppOptedOutError):
        await channel.get_output_channel().send_response(SHOPPER, {"text": "Back in stock!"})
    assert graph_api.requests == []
    with session_scope() as session:
        apply_keyword(
            session, keyword=Keyword.OPT_IN, word="START", channel=Channel.WHATSAPP, address=phone, now=now
        )
    await channel.get_output_channel().send_response(SHOPPER, {"text": "Back in stock!"})
    assert [m["type"] for m in graph_api.messages()] == ["template"]


async def test_a_conversation_that_never_wrote_is_outside_the_window(
    graph_api: FakeGraphApi, tmp_path: Path
) -> None:
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "empty.db"))
    with pytest.raises(WhatsAppWindowClosedError) as raised:
        await (
            channel_for(graph_api, tracker_store=store)
            .get_output_channel()
            .send_response("15550001111", {"text": "Hi"})
        )
    assert raised.value.last_inbound_at is None
