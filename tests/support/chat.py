"""Talk to a running Rasa server the way a client would: over HTTP."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import requests

from tools.launcher import Stack


def say(
    stack: Stack, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None
) -> List[Dict[str, Any]]:
    """Send one message through the REST channel and return the bot's replies."""
    body: Dict[str, Any] = {"sender": sender, "message": text}
    if metadata is not None:
        body["metadata"] = metadata
    reply = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
    reply.raise_for_status()
    return reply.json()


def rest_id(sender: str) -> str:
    """The conversation id of a REST ``sender`` (the channel namespaces it, see conversation_ids)."""
    return f"rest:{sender}"


def texts(replies: List[Dict[str, Any]]) -> List[str]:
    return [r["text"] for r in replies if "text" in r]


def tracker(stack: Stack, conversation_id: str) -> Dict[str, Any]:
    """The conversation's tracker from Rasa's HTTP API (token required).

    ``conversation_id`` as the channel names it: :func:`rest_id` for a REST sender, the session
    id for the widget.
    """
    reply = requests.get(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": stack.token, "include_events": "ALL"},
        timeout=30,
    )
    reply.raise_for_status()
    return reply.json()


@dataclass(frozen=True)
class Turn:
    """One shopper message and what the assistant did about it, read back from the tracker.

    Tests assert on ``responses`` (the domain's response names, which Rasa 3.6 records in each
    ``bot`` event's ``metadata.utter_action``), ``actions`` and ``slots``: rewording a response
    changes none of them, a wrong response changes them. ``text`` is for facts that are data (an
    order number, a price, a tracking link), not for wording.
    """

    replies: List[Dict[str, Any]]
    events: List[Dict[str, Any]]

    @property
    def responses(self) -> List[Optional[str]]:
        """Response names of the bot messages, in order (None for text not from the domain)."""
        return [(e.get("metadata") or {}).get("utter_action") for e in self.events if e["event"] == "bot"]

    @property
    def actions(self) -> List[str]:
        """Actions that ran, in order (``action_listen`` included)."""
        return [e["name"] for e in self.events if e["event"] == "action"]

    @property
    def slots(self) -> Dict[str, Any]:
        """The last value each slot was set to in this turn."""
        return {e["name"]: e["value"] for e in self.events if e["event"] == "slot"}

    @property
    def text(self) -> str:
        """Every reply's text, one per line."""
        return "\n".join(r.get("text", "") for r in self.replies)

    def buttons(self) -> List[Dict[str, Any]]:
        """Every reply's buttons (title and payload), in order."""
        return [b for r in self.replies for b in r.get("buttons") or []]


def events_since_last_message(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The tracker events after the shopper's latest message."""
    last = max((i for i, e in enumerate(events) if e["event"] == "user"), default=-1)
    return events[last + 1 :]


def latest_turn(stack: Stack, sender: str, replies: Optional[List[Dict[str, Any]]] = None) -> Turn:
    """The turn of the conversation's latest shopper message (from any channel), from the tracker."""
    return Turn(replies or [], events_since_last_message(tracker(stack, sender)["events"]))


def settled_turn(stack: Stack, conversation_id: str, messages: int, wait_s: float = 60.0) -> Turn:
    """The latest turn once the conversation holds ``messages`` shopper messages, all answered.

    The widget's socket.io channel pushes each reply as the action sends it, before Rasa saves the
    turn, so a read right after a reply may still show the previous turn. This waits (polling,
    bounded by ``wait_s``) until the tracker has the expected number of shopper messages and the
    assistant is listening again (or has paused for a person). It waits for a state; it does not
    time anything.
    """
    deadline = time.monotonic() + wait_s
    while True:
        state = tracker(stack, conversation_id)
        events = state["events"]
        said = sum(1 for e in events if e["event"] == "user")
        listening = events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"
        if said >= messages and (listening or state.get("paused")):
            return Turn([], events_since_last_message(events))
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{conversation_id}: {said} of {messages} shopper messages answered after {wait_s:.0f} s"
            )
        time.sleep(0.1)


def chat(stack: Stack, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None) -> Turn:
    """Send one message through the REST channel; return the replies with the turn's events."""
    return latest_turn(stack, rest_id(sender), say(stack, sender, text, metadata))
