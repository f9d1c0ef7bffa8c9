"""Who may see an order, through the real servers: channel-bound identity, the REST token, bounded
guessing and verification that ends with the session.

The lock-out and the token run on servers of their own (``guarded_stack``): the session's servers
allow many failures, because every test talks to them from 127.0.0.1.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests
from sqlalchemy import select

from store.db import make_engine, session_scope
from store.models import Order, VerificationFailure
from tests.support.chat import rest_id, say, tracker
from tests.support.stacks import copy_store, second_stack_env
from tests.support.trackers import DOMAIN
from tools.launcher import Stack

pytestmark = pytest.mark.integration

REST_TOKEN = "identity-test-rest-token"
AVA_PHONE = "+14155550101"


def response_text(name: str) -> str:
    return str(DOMAIN["responses"][name][0]["text"])


def joined(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def _sender(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:10]}"


def user_texts(stack: Stack, conversation_id: str) -> List[str]:
    return [e["text"] for e in tracker(stack, conversation_id)["events"] if e["event"] == "user"]


def seed_verified_whatsapp_conversation(stack: Stack, conversation_id: str) -> None:
    """A WhatsApp conversation in which the shopper's number verified order #1002 (Ava's)."""
    shopper = {"channel": "whatsapp", "proved_by": "whatsapp", "verified_phone": AVA_PHONE}
    parse = {"intent": {"name": "order_status", "confidence": 1.0}, "entities": [], "text": "my order"}
    events = [
        {"event": "user", "text": "my order", "parse_data": parse, "input_channel": "whatsapp",
         "metadata": {"shopper": shopper}},
        {"event": "slot", "name": "order_number", "value": "1002"},
        {"event": "slot", "name": "order_contact", "value": AVA_PHONE},
        {"event": "slot", "name": "verified_order", "value": "1002"},
        {"event": "action", "name": "action_listen"},
    ]  # fmt: skip
    reply = requests.post(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker/events",
        params={"token": stack.token}, json=events, timeout=60,
    )  # fmt: skip
    reply.raise_for_status()


def test_a_rest_client_cannot_act_in_a_whatsapp_conversation(stack: Stack) -> None:
    number = "1" + uuid.uuid4().int.__str__()[:10]  # a fresh "phone number" per run
    ids = [number, f"whatsapp:{number}"]  # the id before and after conversation ids were namespaced
    for conversation in ids:
        seed_verified_whatsapp_conversation(stack, conversation)

    for sender in ids:
        replies = say(stack, sender, "/order_status")
        assert joined(replies) == response_text("utter_ask_order_number"), replies
        assert user_texts(stack, rest_id(sender)) == ["/order_status"]
    for conversation in ids:  # the WhatsApp conversations got nothing
        assert user_texts(stack, conversation) == ["my order"]


def test_verification_ends_with_the_session(stack: Stack) -> None:
    sender = _sender("session")
    say(stack, sender, "/order_status")
    say(stack, sender, "#1001")
    assert "#1001" in joined(say(stack, sender, "ava.shopper@example.com"))

    assert say(stack, sender, "/session_start") == []  # what the widget sends on sign-out
    assert joined(say(stack, sender, "/order_status")) == response_text("utter_ask_order_number")
    slots = tracker(stack, rest_id(sender))["slots"]
    assert (slots["verified_order"], slots["order_contact"]) == (None, None)


# ---- servers of their own: a REST token and the default guessing limit ----


@pytest.fixture(scope="module")
def guarded_store(store_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the session's store without the failed guesses earlier tests left in it (every
    test talks from 127.0.0.1, so they would count against this module's client address too)."""
    url = copy_store(store_db_url, tmp_path_factory.mktemp("guarded_store"))
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(VerificationFailure.__table__.delete())
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def guarded_stack(
    trained_model: Path,
    stack_env: Dict[str, str],
    guarded_store: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("guarded_stack")
    env = second_stack_env(
        stack_env, tmp, DATABASE_URL=guarded_store, REST_API_TOKEN=REST_TOKEN,
        VERIFICATION_MAX_FAILURES="3", VERIFICATION_WINDOW_SECONDS="900",
    )  # fmt: skip
    running = Stack(model=trained_model, env=env, log_dir=tmp / "logs").start()
    try:
        yield running
    finally:
        running.stop()


def guarded_say(stack: Stack, sender: str, text: str, token: Optional[str] = REST_TOKEN) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
        headers=headers, timeout=60,
    )  # fmt: skip


def test_the_rest_channel_wants_its_token(guarded_stack: Stack) -> None:
    assert guarded_say(guarded_stack, _sender("token"), "hello", token=None).status_code == 401
    assert guarded_say(guarded_stack, _sender("token"), "hello", token="wrong").status_code == 401
    assert guarded_say(guarded_stack, _sender("token"), "hello").status_code == 200


def test_the_fourth_guess_at_one_order_is_refused_whatever_the_sender(
    guarded_stack: Stack, guarded_store: str
) -> None:
    with session_scope(make_engine(guarded_store)) as session:
        owner = session.execute(select(Order.email).where(Order.number == 1003)).scalar_one()

    def guess(contact: str) -> str:
        sender = _sender("guess")  # a new conversation each time: nothing the conversation counts
        guarded_say(guarded_stack, sender, "/order_status")
        guarded_say(guarded_stack, sender, "#1003")
        reply = guarded_say(guarded_stack, sender, contact)
        assert reply.status_code == 200, reply.text
        return joined(reply.json())

    not_found, locked = response_text("utter_order_not_found"), response_text("utter_verification_locked")
    for n in range(3):
        reply = guess(f"guess{n}@example.com")
        assert reply.startswith(not_found) and locked not in reply
    assert guess("guess3@example.com").startswith(locked)
    # the right contact is refused too while the lock-out lasts
    reply = guess(owner)
    assert reply.startswith(locked) and "#1003" not in reply
