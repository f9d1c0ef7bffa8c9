"""Rebuilding the widget conversation from tracker events (what a page reload shows)."""

from __future__ import annotations

import uuid
from typing import List

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from storefront.channels.storefront_transcript import belongs_to_widget, transcript_for, widget_transcript

BUTTONS = [
    {"title": "Track my order", "payload": "/order_status"},
    {"title": "Talk to a person", "payload": "/human_handoff"},
]


def conversation() -> List[Event]:
    return [
        ActionExecuted("action_listen"),
        UserUttered("hello", input_channel="socketio"),
        BotUttered("Hi! I'm the store assistant.\n\nWhat can I do for you?", data={"buttons": BUTTONS}),
        SlotSet("viewed_product", "harbor-rain-shell"),
        UserUttered("/order_status", input_channel="socketio"),
        BotUttered("What's your order number?"),
        UserUttered("/human_handoff", input_channel="socketio"),
        BotUttered("Sam from our team has joined the chat.", metadata={"handoff": "agent_joined"}),
        BotUttered("Hi, Sam here.", metadata={"handoff": "agent_message", "handoff_agent": "Sam"}),
        BotUttered("", data={"image": "https://cdn.example/p.jpg"}),
    ]


def test_messages_come_out_as_the_channel_sent_them() -> None:
    assert widget_transcript(conversation()) == [
        {"sender": "user", "text": "hello"},
        {"sender": "bot", "text": "Hi! I'm the store assistant."},
        {"sender": "bot", "text": "What can I do for you?", "quick_replies": [
            {"content_type": "text", "title": "Track my order", "payload": "/order_status"},
            {"content_type": "text", "title": "Talk to a person", "payload": "/human_handoff"},
        ]},
        # a click is stored as its payload and shown with the title the shopper clicked
        {"sender": "user", "text": "Track my order"},
        {"sender": "bot", "text": "What's your order number?"},
        # no button offered it since the shopper's last message: typed, so shown as stored
        {"sender": "user", "text": "/human_handoff"},
        {"sender": "bot", "text": "Sam from our team has joined the chat.",
         "custom": {"handoff": "agent_joined"}},
        {"sender": "bot", "text": "Hi, Sam here.", "custom": {"handoff": "agent_message", "agent": "Sam"}},
        {"sender": "bot", "attachment": {"type": "image", "payload": {"src": "https://cdn.example/p.jpg"}}},
    ]  # fmt: skip


def test_every_button_offered_since_the_last_message_names_its_payload() -> None:
    events = [
        UserUttered("hi", input_channel="socketio"),
        BotUttered("Pick one", data={"buttons": [{"title": "Sizes", "payload": "/size_help"}]}),
        BotUttered("Or this", data={"buttons": [{"title": "Track", "payload": "/order_status"}]}),
        UserUttered("/size_help", input_channel="socketio"),
        UserUttered("/order_status", input_channel="socketio"),
    ]
    assert [line["text"] for line in widget_transcript(events) if line["sender"] == "user"] == [
        "hi", "Sizes", "/order_status",
    ]  # fmt: skip


def test_only_widget_conversations_belong_to_the_widget() -> None:
    assert belongs_to_widget(conversation())
    assert belongs_to_widget([])
    assert not belongs_to_widget([*conversation(), UserUttered("hi", input_channel="whatsapp")])
    assert not belongs_to_widget([UserUttered("hi", input_channel="rest")])


async def test_transcript_for_reads_the_tracker_store() -> None:
    store = InMemoryTrackerStore(Domain.empty())
    widget_id, rest_id = uuid.uuid4().hex, uuid.uuid4().hex
    await store.save(DialogueStateTracker.from_events(widget_id, conversation()))
    await store.save(DialogueStateTracker.from_events(rest_id, [UserUttered("hi", input_channel="rest")]))
    await store.save(DialogueStateTracker.from_events("15551234567", conversation()))

    assert (await transcript_for(store, widget_id)) == widget_transcript(conversation())
    assert await transcript_for(store, uuid.uuid4().hex) == []  # not started yet
    assert await transcript_for(store, rest_id) is None  # another channel's conversation
    assert await transcript_for(store, "15551234567") is None  # not a widget session id
    assert await transcript_for(store, None) is None
    assert await transcript_for(None, widget_id) is None


def test_custom_payloads_and_elements_come_back_as_the_widget_got_them() -> None:
    cards = {"cards": [{"title": "Harbor Rain Shell", "price": "$159.00", "sku": "HRS-NVY-M"}]}
    element = {"title": "Trail Runner", "image_url": "https://img.example/t.png", "buttons": []}
    events: List[Event] = [
        UserUttered("rain jacket", input_channel="socketio"),
        BotUttered("Here is one you may like:", data={"custom": cards, "elements": [element]}),
    ]
    assert widget_transcript(events) == [
        {"sender": "user", "text": "rain jacket"},
        {"sender": "bot", "text": "Here is one you may like:"},
        {"sender": "bot", "custom": cards},
        {
            "sender": "bot",
            "attachment": {"type": "template", "payload": {"template_type": "generic", "elements": element}},
        },
    ]
