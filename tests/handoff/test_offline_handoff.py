"""Outside business hours, end to end: when people are back, contact with consent, queued offline.

Runs a second pair of servers with ``HANDOFF_HOURS_OVERRIDE=closed`` (the session's ``stack`` is
always open), on the same model and store, with its own tracker database.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests

from tests.handoff.console_client import Console
from tests.support.chat import rest_id
from tests.support.stacks import second_stack_env
from tools.launcher import Stack

pytestmark = pytest.mark.integration

ASK_CONTACT = (
    "So we can get back to you, what's the best email address or phone number to reach you? "
    'Or just say "no thanks" and we\'ll reply here.'
)


@pytest.fixture(scope="module")
def closed_stack(
    trained_model: Path, stack_env: Dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("closed")
    env = second_stack_env(stack_env, tmp, HANDOFF_HOURS_OVERRIDE="closed")
    running = Stack(model=trained_model, env=env, log_dir=tmp / "logs").start()
    try:
        yield running
    finally:
        running.stop()


def chat(stack: Stack, sender: str, text: str) -> List[str]:
    reply = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    reply.raise_for_status()
    return [m["text"] for m in reply.json() if "text" in m]


def test_offline_handoff_takes_a_contact_with_consent_and_queues_offline(closed_stack: Stack) -> None:
    sender = f"night-{uuid.uuid4().hex[:8]}"
    offline, ask = chat(closed_stack, sender, "/human_handoff")
    assert offline.startswith("Our team is offline right now. A person will pick this up on ")
    assert ask == ASK_CONTACT
    assert chat(closed_stack, sender, "ava@example") == [
        'That doesn\'t look like an email address or a phone number. Could you check it, or say "no thanks" '
        "and we'll reply here?",
        ASK_CONTACT,
    ]
    assert chat(closed_stack, sender, "Ava@Example.com") == [
        "May we contact you at ava@example.com about this request? We'll only use it for this."
    ]
    (queued,) = chat(closed_stack, sender, "/affirm")
    assert queued.startswith("Thanks! A member of our team will contact you at ava@example.com on ")
    assert chat(closed_stack, sender, "are you there?") == []

    console = Console(closed_stack, "Night shift")
    item = console.handoff_for(rest_id(sender))
    assert (item["status"], item["offline"], item["reason"]) == ("queued", True, "requested")
    detail = console.detail(item["id"])
    assert detail["paused"] is True
    assert detail["context"]["offline"]["contact"] == "ava@example.com"
    assert detail["context"]["offline"]["consent"] is True


def test_declining_to_leave_a_contact_promises_a_reply_in_the_chat(closed_stack: Stack) -> None:
    sender = f"night-{uuid.uuid4().hex[:8]}"
    chat(closed_stack, sender, "/human_handoff")
    (reply,) = chat(closed_stack, sender, "/deny")
    assert reply.startswith("No problem. A member of our team will reply right here in this chat on ")
    item = Console(closed_stack, "Night shift").handoff_for(rest_id(sender))
    assert item["offline"] is True
    assert Console(closed_stack, "Night shift").detail(item["id"])["context"]["offline"]["contact"] is None
