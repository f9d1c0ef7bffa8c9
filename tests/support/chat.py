"""Talk to a running Rasa server the way a client would: over HTTP."""

from __future__ import annotations

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
