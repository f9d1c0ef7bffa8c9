"""Agent replies the shopper's channel refuses are not recorded; system notices still change state.

Uses Rasa's real in-memory tracker and lock stores with a WhatsApp output channel that refuses the
way WhatsApp does outside the 24-hour window, and the real Twilio channel talking to the fake
Twilio API during an outage.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, AsyncIterator, Dict, List

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

from storefront.channels.twilio_secure import SecureTwilioInput
from storefront.channels.whatsapp_output import WhatsAppWindowClosedError
from storefront.handoff.conversation import ConversationDesk, DeliveryFailed
from tests.fakes.twilio_api import FakeTwilioApi

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


async def paused_desk(channel: InputChannel, conversation: str = CONVERSATION) -> ConversationDesk:
    """A desk over a conversation on ``channel`` that is paused for a handoff."""
    domain = Domain.empty()
    tracker_store = InMemoryTrackerStore(domain)
    tracker = await tracker_store.get_or_create_tracker(conversation)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("my parcel is lost", input_channel=channel.name()))
    tracker.update(ConversationPaused())
    await tracker_store.save(tracker)
    processor = SimpleNamespace(get_tracker=tracker_store.get_or_create_tracker)
    agent = SimpleNamespace(
        lock_store=InMemoryLockStore(), processor=processor, tracker_store=tracker_store, domain=domain
    )
    return ConversationDesk(agent, [channel])


@pytest.fixture()
async def desk() -> ConversationDesk:
    return await paused_desk(WhatsAppStub())


@pytest.fixture()
async def twilio_down() -> AsyncIterator[FakeTwilioApi]:
    fake = await FakeTwilioApi(unavailable=True).start()
    yield fake
    await fake.stop()


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


async def test_on_twilio_a_refused_reply_is_not_recorded_and_hand_back_still_resumes(
    twilio_down: FakeTwilioApi,
) -> None:
    shopper = "whatsapp:+15551230000"
    channel = SecureTwilioInput(
        twilio_down.account_sid, twilio_down.auth_token, "+14155550100", api_base_url=twilio_down.base_url
    )
    desk = await paused_desk(channel, shopper)
    with pytest.raises(DeliveryFailed, match=r"Twilio answered 503 \(code 20503\)"):
        await desk.say(
            shopper, {"text": "Hi"}, {"handoff": "agent_message", "agent": "Sam"}, require_delivery=True
        )
    assert not any(isinstance(e, BotUttered) for e in (await desk.tracker(shopper)).events)

    delivered = await desk.resume(shopper, {"text": "I'm back"}, {"handoff": "bot_resumed", "agent": "Sam"})
    tracker = await desk.tracker(shopper)
    assert (delivered, tracker.is_paused()) == (False, False)
    assert [type(e).__name__ for e in tracker.events][-3:] == [
        "ConversationResumed",
        "BotUttered",
        "ActionExecuted",
    ]
    assert [r.status for r in twilio_down.requests] == [503, 503]
