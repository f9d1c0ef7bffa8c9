"""What an agent does to a conversation inside the Rasa server: read it, write to it, speak on it.

Everything goes through the running :class:`rasa.core.agent.Agent` (``app.ctx.agent``): the same
tracker store, the same lock store (so an agent's message and a shopper's message to the same
conversation are serialised) and the same input channels, whose ``get_output_channel()`` reaches
the shopper on the channel they used. The REST channel cannot push: for ``rest`` conversations
the agent's message is stored in the tracker only.

Messages the console adds carry a ``custom`` marker so that the widget can tell who speaks
(sent in socket.io's ``bot_uttered`` payload beside ``text``; other channels get the text):

* ``{"handoff": "agent_joined", "agent": "<name>"}`` when an agent claims the conversation,
* ``{"handoff": "agent_message", "agent": "<name>"}`` on each of the agent's replies,
* ``{"handoff": "bot_resumed", "agent": "<name>"}`` when the agent hands back to the assistant,
* ``{"handoff": "resolved", "agent": "<name>"}`` when the agent closes the chat.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel
from rasa.core.channels.socketio import SocketIOOutput
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions

from storefront.channels.delivery import ChannelDeliveryError

logger = logging.getLogger(__name__)

ACTION_LISTEN = "action_listen"


def _at(timestamp: Optional[float]) -> Optional[str]:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat() if timestamp else None


def transcript(tracker: DialogueStateTracker) -> List[Dict[str, Any]]:
    """Every message of the conversation for the console, oldest first.

    Shopper messages keep their intent and confidence; messages sent from the console are
    attributed to their agent; pauses and resumptions appear as ``system`` lines.
    """
    lines: List[Dict[str, Any]] = []
    for event in tracker.events:
        if isinstance(event, UserUttered):
            intent = event.intent or {}
            confidence = intent.get("confidence")
            lines.append({
                "sender": "shopper", "text": event.text or "", "at": _at(event.timestamp),
                "intent": intent.get("name"),
                "confidence": round(float(confidence), 3) if confidence is not None else None,
                "channel": event.input_channel,
            })  # fmt: skip
        elif isinstance(event, BotUttered):
            agent = (event.metadata or {}).get("handoff_agent")
            lines.append({
                "sender": f"agent:{agent}" if agent else "bot", "text": event.text or "",
                "at": _at(event.timestamp),
            })  # fmt: skip
        elif isinstance(event, (ConversationPaused, ConversationResumed)):
            lines.append({
                "sender": "system", "text": "paused" if isinstance(event, ConversationPaused) else "resumed",
                "at": _at(event.timestamp),
            })  # fmt: skip
    return lines


def messages_since_pause(tracker: DialogueStateTracker) -> List[UserUttered]:
    """The shopper's messages after the latest pause (what they wrote while waiting)."""
    collected: List[UserUttered] = []
    for event in reversed(tracker.events):
        if isinstance(event, ConversationPaused):
            break
        if isinstance(event, UserUttered):
            collected.append(event)
    return list(reversed(collected))


def output_channel_for(
    tracker: DialogueStateTracker, channels: Iterable[InputChannel]
) -> Optional[OutputChannel]:
    """The output channel of the shopper's latest input channel, or None when it cannot push."""
    name = tracker.get_latest_input_channel()
    for channel in channels:
        if channel.name() == name:
            return channel.get_output_channel()
    return None


async def deliver(
    output: Optional[OutputChannel], recipient: str, message: Dict[str, Any], marker: Dict[str, Any]
) -> bool:
    """Send ``message`` (``text`` and optional ``buttons``) to the shopper; False if it cannot push."""
    if output is None:
        return False
    if isinstance(output, SocketIOOutput):
        payload: Dict[str, Any] = {"text": message.get("text", ""), "custom": marker}
        if message.get("buttons"):
            payload["quick_replies"] = [
                {"content_type": "text", "title": b["title"], "payload": b["payload"]}
                for b in message["buttons"]
            ]
        await output._send_message(recipient, payload)
        return True
    await output.send_response(recipient, {k: v for k, v in message.items() if k in ("text", "buttons")})
    return True


class DeliveryFailed(RuntimeError):
    """The shopper's channel refused an agent's message; nothing was recorded."""


class ConversationDesk:
    """The console's handle on the running Rasa agent and its input channels."""

    def __init__(self, agent: Any, channels: Iterable[InputChannel]) -> None:
        self.agent = agent
        self.channels = list(channels)

    async def tracker(self, conversation_id: str) -> DialogueStateTracker:
        """The stored tracker of the latest session, every event of it (read only; use :meth:`append`
        to change it). The tracker the assistant works with holds the latest turns only
        (:mod:`storefront.tracking`); an agent reads the whole session.
        """
        stored = await self.agent.tracker_store.retrieve_full_tracker(conversation_id)
        if stored is None:
            return await self.agent.processor.get_tracker(conversation_id)
        return get_trackers_for_conversation_sessions(stored)[-1]

    async def render(self, response: str, tracker: DialogueStateTracker, **kwargs: Any) -> Dict[str, Any]:
        """A domain response filled in for the shopper's channel (text lives in domain.yml)."""
        channel = tracker.get_latest_input_channel() or "rest"
        rendered = await self.agent.processor.nlg.generate(response, tracker, channel, **kwargs)
        return dict(rendered or {"text": ""})

    async def append(
        self,
        conversation_id: str,
        events: List[Event],
        message: Optional[Dict[str, Any]] = None,
        marker: Optional[Dict[str, Any]] = None,
        *,
        require_delivery: bool = False,
    ) -> bool:
        """Send ``message`` to the shopper, then append ``events``, under the conversation's lock.

        Delivery comes first so that the transcript never shows an agent's reply the shopper did
        not get: with ``require_delivery`` a channel's refusal (WhatsApp's 24-hour window, an
        opted-out shopper, a Twilio or Graph API error or outage) raises :class:`DeliveryFailed`
        and nothing is recorded. Without it (system notices around claim, hand-back and resolve)
        the events are recorded whatever the channel did, because the conversation's state must
        change even if the notice cannot be delivered: a hand-back that raised here once left
        Twilio conversations paused for good.

        Returns:
            Whether the message reached a channel that can push (False for REST or on failure).
        """
        delivered = False
        async with self.agent.lock_store.lock(conversation_id):
            tracker = await self.agent.processor.get_tracker(conversation_id)
            if message is not None:
                output = output_channel_for(tracker, self.channels)
                try:
                    delivered = await deliver(output, conversation_id, message, marker or {})
                except ChannelDeliveryError as error:
                    if require_delivery:
                        raise DeliveryFailed(str(error)) from error
                    logger.warning("Could not deliver a console notice to %s: %s", conversation_id, error)
                except Exception as error:  # a channel's bug, not a refusal: the state still changes
                    logger.exception("Console message to %s failed in its channel", conversation_id)
                    if require_delivery:
                        raise DeliveryFailed(f"the shopper's channel failed: {error!r}") from error
            for event in events:
                tracker.update(event, self.agent.domain)
            await self.agent.tracker_store.save(tracker)
        return delivered

    async def say(
        self,
        conversation_id: str,
        message: Dict[str, Any],
        marker: Dict[str, Any],
        before: Iterable[Event] = (),
        after: Iterable[Event] = (),
        *,
        require_delivery: bool = False,
    ) -> bool:
        """Send a console message and record it as a bot utterance attributed to the agent."""
        metadata = {"handoff": marker.get("handoff"), "handoff_agent": marker.get("agent")}
        if marker.get("handoff") != "agent_message":
            metadata.pop("handoff_agent")  # system notices are the assistant's voice
        data = {"buttons": message["buttons"]} if message.get("buttons") else {}
        uttered = BotUttered(message.get("text", ""), data=data, metadata=metadata)
        return await self.append(
            conversation_id, [*before, uttered, *after], message, marker, require_delivery=require_delivery
        )

    async def resume(self, conversation_id: str, message: Dict[str, Any], marker: Dict[str, Any]) -> bool:
        """Give the conversation back to the assistant, which speaks first and then listens."""
        return await self.say(
            conversation_id,
            message,
            marker,
            before=[ConversationResumed()],
            after=[ActionExecuted(ACTION_LISTEN)],
        )
