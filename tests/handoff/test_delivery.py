"""Agent replies the shopper's channel refuses are not recorded; system notices still change state.

Uses Rasa's real in-memory tracker and lock stores and a WhatsApp output channel that refuses the
way WhatsApp does outside the 24-hour window.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Dict, List

import pytest
from rasa.core.channels.channel import InputChannel, OutputChannel
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    UserUttered,
)

from storefront.channels.whatsapp_output import WhatsAppWindowClosedError
from storefront.handoff.conversation import ConversationDesk, DeliveryFailed

CONVERSATION = "15551230000"


class RefusingOutput(OutputChannel):
    """Refuses every message, as WhatsApp does more than 24 hours after the shopper last wrote."""

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        raise WhatsAppWindowClosedError(recipient_id, last_inbound_at=0.0)


class WhatsAppStub(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def get_output_channel(self) -> OutputChannel:
        return RefusingOutput()


@pytest.fixture()
async def desk() -> ConversationDesk:
    domain = Domain.empty()
    tracker_store = InMemoryTrackerStore(domain)
    tracker = await tracker_store.get_or_create_tracker(CONVERSATION)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("my parcel is lost", input_channel="whatsapp"))
    tracker.update(ConversationPaused())
    await tracker_store.save(tracker)
    processor = SimpleNamespace(get_tracker=tracker_store.get_or_create_tracker)
    agent = SimpleNamespace(
        lock_store=InMemoryLockStore(), processor=processor, tracker_store=tracker_store, domain=domain
    )
    return ConversationDesk(agent, [WhatsAppStub()])


async def _events(desk: ConversationDesk) -> List[Any]:
    return list((await desk.tracker(CONVERSATION)).events)


async def test_a_refused_agent_reply_raises_and_is_not_recorded(desk: ConversationDesk) -> None:
    before = await _events(desk)
    with pytest.raises(DeliveryFailed, match="more than 24 hours ago, and WHATSAPP_TEMPLATE_NAME is not set"):
        await desk.say(
            CONVERSATION,
            {"text": "Hi, it's Sam from the team"},
            {"handoff": "agent_message", "agent": "Sam"},
            require_delivery=True,
        )
    assert await _events(desk) == before


async def test_hand_back_is_recorded_even_when_its_notice_cannot_be_delivered(desk: ConversationDesk) -> None:
    delivered = await desk.resume(
        CONVERSATION, {"text": "I'm back"}, {"handoff": "bot_resumed", "agent": "Sam"}
    )
    events = await _events(desk)
    assert delivered is False
    assert any(isinstance(e, ConversationResumed) for e in events)
    assert [e.text for e in events if isinstance(e, BotUttered)] == ["I'm back"]
