"""A widget conversation as the widget shows it, rebuilt from the tracker after a page reload.

The messages come out in the shape the socket.io channel pushes them live (``text``,
``quick_replies``, ``attachment``, ``custom``), so the widget renders both with the same code.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import get_trackers_for_conversation_sessions

from storefront.channels.socketio import valid_session_id

WIDGET_CHANNEL = "socketio"


def belongs_to_widget(events: Iterable[Event], channel: str = WIDGET_CHANNEL) -> bool:
    """Whether every shopper message of the conversation came through the widget's channel.

    A session id names a conversation, and the transcript must never reveal one that a shopper
    had on another channel (a WhatsApp number, a REST sender) whatever id the caller sends.
    """
    return all(event.input_channel == channel for event in events if isinstance(event, UserUttered))


def _quick_replies(buttons: Any) -> List[Dict[str, str]]:
    if not isinstance(buttons, list):
        return []
    return [
        {"content_type": "text", "title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in buttons
        if isinstance(b, dict) and b.get("payload")
    ]


def _bot_messages(event: BotUttered) -> List[Dict[str, Any]]:
    """The socket.io payloads the channel sent (or would have sent) for one bot utterance."""
    data = event.data or {}
    metadata = event.metadata or {}
    replies = _quick_replies(data.get("buttons")) or _quick_replies(data.get("quick_replies"))
    text = event.text or ""
    marker = metadata.get("handoff")
    if marker:
        # a message from the agent console: one payload with its marker, as the desk sends it
        custom = {"handoff": marker}
        if metadata.get("handoff_agent"):
            custom["agent"] = metadata["handoff_agent"]
        message: Dict[str, Any] = {"text": text, "custom": custom}
        if replies:
            message["quick_replies"] = replies
        return [message]
    messages: List[Dict[str, Any]] = []
    if text.strip():
        # SocketIOOutput splits text on blank lines and puts the buttons on the last part
        messages = [{"text": part} for part in text.strip().split("\n\n")]
    if replies:
        if not messages:
            messages = [{"text": ""}]
        messages[-1]["quick_replies"] = replies
    if isinstance(data.get("custom"), dict):
        messages.append({"custom": data["custom"]})  # as WidgetOutput sends it, before images
    if isinstance(data.get("image"), str):
        messages.append({"attachment": {"type": "image", "payload": {"src": data["image"]}}})
    if isinstance(data.get("attachment"), dict):
        messages.append({"attachment": data["attachment"]})
    if isinstance(data.get("elements"), list):
        messages.extend(
            {"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": e}}}
            for e in data["elements"]
        )
    return messages


def widget_transcript(events: Iterable[Event]) -> List[Dict[str, Any]]:
    """Shopper and bot messages, oldest first: ``{"sender": "user"|"bot", ...payload}``.

    A shopper's button click is stored as the button's payload; it is shown with the button's
    title, as the widget showed it. Buttons stay clickable until the shopper's next message, so
    only those offered since then count.
    """
    lines: List[Dict[str, Any]] = []
    offered: Dict[str, str] = {}
    for event in events:
        if isinstance(event, UserUttered):
            text = event.text or ""
            lines.append({"sender": "user", "text": offered.get(text, text)})
            offered = {}
        elif isinstance(event, BotUttered):
            for message in _bot_messages(event):
                offered.update({r["payload"]: r["title"] for r in message.get("quick_replies", [])})
                lines.append({"sender": "bot", **message})
    return lines


async def transcript_for(tracker_store: Any, session_id: Any) -> Optional[List[Dict[str, Any]]]:
    """The widget transcript of ``session_id``; ``None`` when the id is not a widget session.

    An unknown but well-formed id is a conversation that has not started: an empty list.
    """
    if not valid_session_id(session_id) or tracker_store is None:
        return None
    # The whole latest session: the tracker ``retrieve`` gives the assistant holds its latest turns
    # only (storefront.tracking), and the check below must see every shopper message.
    tracker = await tracker_store.retrieve_full_tracker(session_id)
    if tracker is None:
        return []
    events = list(get_trackers_for_conversation_sessions(tracker)[-1].events)
    if not belongs_to_widget(events):
        return None
    return widget_transcript(events)
