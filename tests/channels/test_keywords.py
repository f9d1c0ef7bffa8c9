"""STOP / START / HELP on WhatsApp and Twilio: taken before the NLU, recorded, confirmed once."""

from __future__ import annotations

from typing import Callable, Iterator

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, ConversationPaused, SlotSet, UserUttered
from sqlalchemy.orm import Session

from core import clock
from core.responses import response_text
from store.channel_contacts import contact
from store.consent import Channel, Purpose, Source, grant, may_message
from store.db import make_engine, session_scope
from tests.channels.conftest import SHOPPER, Collector, post_signed, serve, text_message, webhook
from tests.channels.test_twilio_secure import inbound, send
from tests.channels.test_twilio_secure import make_channel as twilio_channel
from tests.channels.test_whatsapp_webhook import make_channel as whatsapp_channel
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.twilio_api import FakeTwilioApi

PHONE = f"+{SHOPPER}"


@pytest.fixture
def store(store_db_url: str, use_store: Callable[[str], None]) -> Iterator[Callable[[], Session]]:
    """The channels' store (the sample store of the session) and a way to read it."""
    use_store(store_db_url)
    engine = make_engine(store_db_url)
    yield lambda: Session(engine, future=True)
    engine.dispose()


def may(store: Callable[[], Session], channel: Channel, purpose: Purpose, phone: str = PHONE) -> bool:
    with store() as session:
        return may_message(session, channel=channel, address=phone, purpose=purpose)


async def test_whatsapp_stop_start_and_help_never_reach_the_bot(
    graph_api: FakeGraphApi, collector: Collector, store
) -> None:
    channel = whatsapp_channel(graph_api.base_url, ledger=True, background=False)
    async with serve(channel, collector) as url:
        for number, word in enumerate(["STOP", "stop", "Start", "HELP", "Where is my order?"]):
            status, _ = await post_signed(f"{url}/webhook", webhook([text_message(word, f"wamid.K{number}")]))
            assert status == 200
            if word == "stop":
                assert not may(store, Channel.WHATSAPP, Purpose.MARKETING)
                assert may(store, Channel.WHATSAPP, Purpose.SERVICE)  # order updates still allowed
    # only the ordinary question reached Rasa
    assert [message.text for message in collector.messages] == ["Where is my order?"]
    # the second STOP is not confirmed again
    assert graph_api.messages() == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": SHOPPER,
            "type": "text",
            "text": {"preview_url": True, "body": response_text(name, "whatsapp")},
        }
        for name in ("utter_opted_out", "utter_opted_in", "utter_keyword_help")
    ]
    assert may(store, Channel.WHATSAPP, Purpose.MARKETING)
    with store() as session:
        noted = contact(session, channel=Channel.WHATSAPP, address=PHONE)
        assert noted is not None and noted.conversation_id == f"whatsapp:{SHOPPER}"


async def test_a_button_payload_is_never_a_keyword(
    graph_api: FakeGraphApi, collector: Collector, store
) -> None:
    button = {"type": "button_reply", "button_reply": {"id": "stop", "title": "Stop"}}
    reply = {"from": SHOPPER, "id": "wamid.B1", "timestamp": "1", "type": "interactive"}
    reply["interactive"] = button
    async with serve(whatsapp_channel(graph_api.base_url, ledger=True, background=False), collector) as url:
        await post_signed(f"{url}/webhook", webhook([reply]))
    assert [message.text for message in collector.messages] == ["stop"]
    assert graph_api.requests == []


async def test_twilio_sms_stop_is_recorded_and_left_to_twilio_to_confirm(
    twilio_api: FakeTwilioApi, collector: Collector, store
) -> None:
    sms = "+15557654321"
    channel = twilio_channel(twilio_api, ledger=True, background=False)
    async with serve(channel, collector) as url:
        status, _ = await send(url, inbound("STOP", sid="SM1", sender=sms, OptOutType="STOP"))
        assert status == 200
        assert not may(store, Channel.SMS, Purpose.MARKETING, sms)
        assert not may(store, Channel.SMS, Purpose.SERVICE, sms)  # carriers block every text after STOP
        await send(url, inbound("start", sid="SM2", sender=sms, OptOutType="START"))
    assert collector.messages == [] and twilio_api.requests == []
    assert may(store, Channel.SMS, Purpose.SERVICE, sms)


async def test_twilio_whatsapp_stop_is_confirmed_by_the_assistant(
    twilio_api: FakeTwilioApi, collector: Collector, store
) -> None:
    channel = twilio_channel(twilio_api, ledger=True, background=False)
    async with serve(channel, collector) as url:
        await send(url, inbound("Unsubscribe", sid="SM3"))
    assert collector.messages == []
    [message] = twilio_api.messages()
    assert message == {
        "To": ["whatsapp:+15551234567"],
        "From": ["whatsapp:+14155550100"],
        "Body": [response_text("utter_opted_out", "whatsapp")],
    }
    assert not may(store, Channel.WHATSAPP, Purpose.MARKETING, "+15551234567")


@pytest.mark.parametrize(
    "state",
    [
        [ActiveLoop("order_status_form"), SlotSet("requested_slot", "order_number")],  # inside a form
        [ConversationPaused()],  # during a handoff: Rasa would predict nothing, the shopper hear nothing
    ],
)
async def test_stop_and_start_inside_a_form_and_during_a_handoff(
    graph_api: FakeGraphApi, collector: Collector, store, state
) -> None:
    with session_scope() as session:  # the shopper agreed earlier (other tests may have sent STOP)
        grant(
            session,
            channel=Channel.WHATSAPP,
            address=PHONE,
            purpose=Purpose.MARKETING,
            source=Source.CHAT,
            wording="Can we message you offers here?",
            now=clock.now(),
        )
    tracker_store = InMemoryTrackerStore(Domain.empty())
    tracker = await tracker_store.get_or_create_tracker(f"whatsapp:{SHOPPER}")
    for event in [
        ActionExecuted("action_listen"),
        UserUttered("where is my order", input_channel="whatsapp"),
        *state,
    ]:
        tracker.update(event)
    await tracker_store.save(tracker)
    before = [event.as_dict() for event in (await tracker_store.retrieve(f"whatsapp:{SHOPPER}")).events]
    channel = whatsapp_channel(graph_api.base_url, ledger=True, background=False, tracker_store=tracker_store)
    async with serve(channel, collector) as url:
        await post_signed(f"{url}/webhook", webhook([text_message("STOP", "wamid.F1")]))
        assert not may(store, Channel.WHATSAPP, Purpose.MARKETING)
        await post_signed(f"{url}/webhook", webhook([text_message("START", "wamid.F2")]))
    # answered by the channel: nothing reached Rasa (no fallback, no handoff), the form or the
    # handoff is exactly as it was, and each keyword was confirmed once
    assert collector.messages == []
    after = [event.as_dict() for event in (await tracker_store.retrieve(f"whatsapp:{SHOPPER}")).events]
    assert after == before
    assert [message["text"]["body"] for message in graph_api.messages()] == [
        response_text("utter_opted_out", "whatsapp"),
        response_text("utter_opted_in", "whatsapp"),
    ]
    assert may(store, Channel.WHATSAPP, Purpose.MARKETING)
