"""STOP and START against the real servers: inside the order form and during a handoff.

A second pair of servers (real Rasa and action servers, a copy of the sample store) with the
WhatsApp channel pointed at a fake Graph API and Twilio at a fake Twilio API, both on 127.0.0.1.
A signed "STOP" withdraws marketing consent in the ledger and is confirmed exactly once; it never
reaches the NLU, so no fallback and no handoff follow, and the form or the handoff is exactly as
it was: after START the shopper answers the form's question and the form goes on, or the agent
still has the conversation.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List
from urllib.parse import urlencode

import pytest
import requests
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from core import clock
from core.responses import response_text
from store.consent import Channel, Purpose, Source, consent_state, grant
from store.db import make_engine
from storefront.channels.conversation_ids import conversation_id
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.twilio_api import FakeTwilioApi
from tests.handoff.console_client import Console
from tests.support.chat import tracker
from tests.support.messaging import send_whatsapp, served_on_thread
from tests.support.stacks import copy_store, second_stack_env
from tools.launcher import Stack

pytestmark = pytest.mark.integration

WA_SECRET, WA_NUMBER_ID, WA_TOKEN = "keywords-app-secret", "106540352242922", "keywords-access-token"
TWILIO_URL = "https://shop.example.com/webhooks/twilio/webhook"
OUR_NUMBER = "+14155550100"
WAIT_S = 90.0


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphApi]:
    yield from served_on_thread(FakeGraphApi(phone_number_id=WA_NUMBER_ID, access_token=WA_TOKEN))


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilioApi]:
    yield from served_on_thread(FakeTwilioApi())


@pytest.fixture(scope="module")
def servers(
    trained_model: Path, stack_env: Dict[str, str], store_db_url: str, graph: FakeGraphApi,
    twilio: FakeTwilioApi, tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Stack, Callable[[], Session]]]:  # fmt: skip
    tmp = tmp_path_factory.mktemp("keywords")
    store = copy_store(store_db_url, tmp)
    env = second_stack_env(
        stack_env, tmp, DATABASE_URL=store,
        WHATSAPP_APP_SECRET=WA_SECRET, WHATSAPP_ACCESS_TOKEN=WA_TOKEN, WHATSAPP_PHONE_NUMBER_ID=WA_NUMBER_ID,
        WHATSAPP_API_BASE_URL=graph.base_url, WHATSAPP_VERIFY_TOKEN="keywords-verify",
        TWILIO_ACCOUNT_SID=twilio.account_sid, TWILIO_AUTH_TOKEN=twilio.auth_token, TWILIO_NUMBER=OUR_NUMBER,
        TWILIO_WEBHOOK_URL=TWILIO_URL, TWILIO_API_BASE_URL=twilio.base_url,
    )  # fmt: skip
    running = Stack(model=trained_model, env=env, log_dir=tmp / "logs").start()
    engine = make_engine(store)
    try:
        yield running, lambda: Session(engine, future=True)
    finally:
        running.stop()
        engine.dispose()


def new_number() -> str:
    return "1555" + str(uuid.uuid4().int)[:7]


def whatsapp(stack: Stack, number: str, text: str) -> None:
    """A signed WhatsApp Cloud API webhook carrying one text message from ``number``."""
    send_whatsapp(stack, number, text, app_secret=WA_SECRET, phone_number_id=WA_NUMBER_ID)


def sms(stack: Stack, twilio: FakeTwilioApi, number: str, text: str, **extra: str) -> None:
    """A signed Twilio SMS webhook from ``number``."""
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": twilio.account_sid, "From": number,
              "To": OUR_NUMBER, "Body": text, "NumMedia": "0", **extra}  # fmt: skip
    signature = RequestValidator(twilio.auth_token).compute_signature(TWILIO_URL, params)
    reply = requests.post(
        f"{stack.rasa_url}/webhooks/twilio/webhook", data=urlencode(params), timeout=60,
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )  # fmt: skip
    assert reply.status_code == 200, reply.text


def sent_to(graph: FakeGraphApi, number: str) -> List[Dict[str, Any]]:
    return [message for message in graph.messages() if message.get("to") == number]


def wait_for(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {WAIT_S:.0f} s")


def settled(stack: Stack, conversation: str, said: int) -> Dict[str, Any]:
    """The tracker once ``said`` shopper messages are in and answered (listening, or paused)."""

    def done() -> Dict[str, Any]:
        state = tracker(stack, conversation)
        events = state["events"]
        users = sum(1 for e in events if e["event"] == "user")
        idle = state.get("paused") or (
            events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"
        )
        return state if users >= said and idle else {}

    return wait_for(done, f"{conversation} settling after {said} messages")


def text_message(number: str, response: str) -> Dict[str, Any]:
    """The exact request the assistant sends to confirm a keyword."""
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": number, "type": "text",
            "text": {"preview_url": True, "body": response_text(response, "whatsapp")}}  # fmt: skip


def ledger_state(store: Callable[[], Session], channel: Channel, phone: str, purpose: Purpose):
    with store() as session:
        return consent_state(session, channel=channel, address=phone, purpose=purpose)


def consented(store: Callable[[], Session], channel: Channel, phone: str) -> None:
    with store() as session, session.begin():
        grant(session, channel=channel, address=phone, purpose=Purpose.MARKETING, source=Source.CHAT,
              wording="Would you like offers here?", now=clock.now())  # fmt: skip


def user_texts(state: Dict[str, Any]) -> List[str]:
    return [e.get("text") for e in state["events"] if e["event"] == "user"]


def test_stop_inside_the_order_form_on_whatsapp(servers, graph: FakeGraphApi) -> None:
    stack, store = servers
    number = new_number()
    conversation, phone = conversation_id("whatsapp", number), f"+{number}"
    consented(store, Channel.WHATSAPP, phone)
    whatsapp(stack, number, "where is my order?")
    before = settled(stack, conversation, 1)
    assert (before["active_loop"]["name"], before["slots"]["requested_slot"]) == (
        "order_status_form",
        "order_number",
    )
    asked = len(wait_for(lambda: sent_to(graph, number), "the order number question"))

    whatsapp(stack, number, "STOP")
    wait_for(lambda: len(sent_to(graph, number)) > asked, "the opt-out confirmation")
    withdrawn = ledger_state(store, Channel.WHATSAPP, phone, Purpose.MARKETING)
    assert (withdrawn.withdrawn, withdrawn.granted) == (True, False)
    assert (
        ledger_state(store, Channel.WHATSAPP, phone, Purpose.SERVICE).withdrawn is False
    )  # order updates go on

    whatsapp(stack, number, "START")
    wait_for(lambda: len(sent_to(graph, number)) > asked + 1, "the opt-in confirmation")
    assert ledger_state(store, Channel.WHATSAPP, phone, Purpose.MARKETING).granted
    # exactly one confirmation each, in order; nothing else (no "I didn't understand", no handoff)
    assert sent_to(graph, number)[asked:] == [
        text_message(number, "utter_opted_out"), text_message(number, "utter_opted_in"),
    ]  # fmt: skip
    after = tracker(stack, conversation)
    assert after["events"] == before["events"]  # the keywords never reached Rasa

    whatsapp(stack, number, "#1001")  # the form's question, answered after STOP and START
    state = settled(stack, conversation, 2)
    assert state["active_loop"]["name"] == "order_status_form"
    assert (state["slots"]["order_number"], state["slots"]["requested_slot"]) == ("1001", "order_contact")
    assert user_texts(state) == ["where is my order?", "#1001"]
    assert not state.get("paused")


def test_stop_during_a_handoff_on_whatsapp(servers, graph: FakeGraphApi) -> None:
    stack, store = servers
    number = new_number()
    conversation, phone = conversation_id("whatsapp", number), f"+{number}"
    consented(store, Channel.WHATSAPP, phone)
    whatsapp(stack, number, "I want to talk to a person")
    before = settled(stack, conversation, 1)
    assert before["paused"] is True
    console = Console(stack, "Sam")
    handoff = console.handoff_for(conversation)
    told = len(wait_for(lambda: sent_to(graph, number), "the handoff message"))

    whatsapp(stack, number, "stop")
    wait_for(lambda: len(sent_to(graph, number)) > told, "the opt-out confirmation")
    assert ledger_state(store, Channel.WHATSAPP, phone, Purpose.MARKETING).withdrawn
    whatsapp(stack, number, "Stop")  # a second STOP is recorded once and not confirmed again
    whatsapp(stack, number, "START")
    wait_for(lambda: len(sent_to(graph, number)) > told + 1, "the opt-in confirmation")
    assert sent_to(graph, number)[told:] == [
        text_message(number, "utter_opted_out"), text_message(number, "utter_opted_in"),
    ]  # fmt: skip
    assert tracker(stack, conversation)["events"] == before["events"]

    # the handoff is as it was: still one open handoff, the conversation still paused, and what the
    # shopper writes next waits for the agent (stored, no bot reply)
    assert console.handoff_for(conversation)["id"] == handoff["id"]
    whatsapp(stack, number, "are you still there?")
    state = settled(stack, conversation, 2)
    assert state["paused"] is True and user_texts(state)[-1] == "are you still there?"
    time.sleep(1.0)  # a reply, if one wrongly came, would follow the stored message at once
    assert len(sent_to(graph, number)) == told + 2


def test_stop_inside_the_order_form_on_twilio_sms(servers, twilio: FakeTwilioApi) -> None:
    stack, store = servers
    number = "+" + new_number()
    conversation = conversation_id("twilio", number)
    consented(store, Channel.SMS, number)
    sms(stack, twilio, number, "where is my order?")
    before = settled(stack, conversation, 1)
    assert before["slots"]["requested_slot"] == "order_number"
    asked = len(wait_for(lambda: [m for m in twilio.messages() if m["To"] == [number]], "the question"))

    # Twilio's Advanced Opt-Out confirms STOP and START on SMS itself: the assistant records them
    # and sends nothing
    sms(stack, twilio, number, "STOP", OptOutType="STOP")
    wait_for(lambda: ledger_state(store, Channel.SMS, number, Purpose.MARKETING).withdrawn, "the withdrawal")
    assert ledger_state(store, Channel.SMS, number, Purpose.SERVICE).withdrawn  # carriers block every text
    sms(stack, twilio, number, "START", OptOutType="START")
    wait_for(lambda: ledger_state(store, Channel.SMS, number, Purpose.MARKETING).granted, "the opt-in")
    assert tracker(stack, conversation)["events"] == before["events"]

    sms(stack, twilio, number, "#1001")
    state = settled(stack, conversation, 2)
    assert (state["slots"]["order_number"], state["slots"]["requested_slot"]) == ("1001", "order_contact")
    to_shopper = wait_for(
        lambda: [m["Body"][0] for m in twilio.messages() if m["To"] == [number]][asked:], "the next question"
    )
    keyword_replies = {response_text(name, "sms") for name in ("utter_opted_out", "utter_opted_in")}
    assert keyword_replies.isdisjoint(to_shopper)  # nothing was sent for STOP or START
