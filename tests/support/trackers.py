"""Trackers and dispatcher readouts for action tests (the rasa-sdk objects an action receives)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

DOMAIN: Dict[str, Any] = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())
_EMPTY = (None, [], {}, "")


def tracker_from_events(
    events: List[Dict[str, Any]],
    *,
    slots: Optional[Dict[str, Any]] = None,
    active_loop: Optional[str] = None,
    sender: str = "shopper-1",
) -> Tracker:
    """A tracker whose latest message is the last user event in ``events``; every domain slot is set."""
    all_slots = {name: None for name in DOMAIN["slots"]}
    all_slots.update(slots or {})
    latest = next(e for e in reversed(events) if e["event"] == "user")
    message = {**latest["parse_data"], "metadata": latest.get("metadata") or {}}
    loop = {"name": active_loop} if active_loop else {}
    return Tracker(sender, all_slots, message, events, False, None, loop, "action_listen")


def make_tracker(
    *,
    slots: Optional[Dict[str, Any]] = None,
    set_this_turn: Optional[Dict[str, Any]] = None,
    intent: str = "inform",
    text: str = "",
    entities: Optional[List[Dict[str, Any]]] = None,
    metadata: Optional[Dict[str, Any]] = None,
    active_loop: Optional[str] = None,
    input_channel: Optional[str] = None,
) -> Tracker:
    """A tracker right after one user message; ``set_this_turn`` are slots filled since that message.

    The message arrives on ``input_channel``; by default on the channel that proved the shopper
    in ``metadata`` (``shopper.proved_by``), as a real channel would send it.
    """
    if input_channel is None:
        record = (metadata or {}).get("shopper")
        input_channel = record.get("proved_by") if isinstance(record, dict) else None
    parse_data = {
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "text": text,
        "metadata": metadata or {},
    }
    events: List[Dict[str, Any]] = [
        {
            "event": "user", "text": text, "parse_data": parse_data, "metadata": metadata or {},
            "input_channel": input_channel,
        }
    ]  # fmt: skip
    events += [{"event": "slot", "name": k, "value": v} for k, v in (set_this_turn or {}).items()]
    return tracker_from_events(
        events, slots={**(slots or {}), **(set_this_turn or {})}, active_loop=active_loop
    )


def said(dispatcher: CollectingDispatcher) -> List[Dict[str, Any]]:
    """What an action uttered: response name and keyword arguments, without the empty defaults."""
    return [
        {k: v for k, v in message.items() if k != "template" and v not in _EMPTY}
        for message in dispatcher.messages
    ]
