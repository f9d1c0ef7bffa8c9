"""Outside business hours, end to end: when people are back, contact with consent, queued offline.

Runs a second pair of servers with ``HANDOFF_HOURS_OVERRIDE=closed`` (the session's ``stack`` is
always open), on the same model and store, with its own tracker database.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Dict, Iterator

import pytest

from tests.handoff.console_client import Console
from tests.support.chat import chat, rest_id
from tests.support.stacks import second_stack_env
from tools.launcher import Stack

pytestmark = pytest.mark.integration


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


def test_offline_handoff_takes_a_contact_with_consent_and_queues_offline(closed_stack: Stack) -> None:
    sender = f"night-{uuid.uuid4().hex[:8]}"
    offline = chat(closed_stack, sender, "/human_handoff")
    assert offline.responses == ["utter_handoff_offline", "utter_ask_handoff_contact"]
    assert offline.slots["handoff_reason"] == "requested"
    typo = chat(closed_stack, sender, "ava@example")
    assert typo.responses == ["utter_handoff_contact_invalid", "utter_ask_handoff_contact"]
    consent = chat(closed_stack, sender, "Ava@Example.com")
    assert consent.responses == ["utter_ask_handoff_consent"]
    assert consent.slots["handoff_contact"] == "ava@example.com" and "ava@example.com" in consent.text
    queued = chat(closed_stack, sender, "/affirm")
    assert queued.responses == ["utter_handoff_offline_queued_contact"] and "ava@example.com" in queued.text
    assert "pause" in [e["event"] for e in queued.events]
    assert chat(closed_stack, sender, "are you there?").replies == []

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
    assert chat(closed_stack, sender, "/deny").responses == ["utter_handoff_offline_queued_here"]
    item = Console(closed_stack, "Night shift").handoff_for(rest_id(sender))
    assert item["offline"] is True
    assert Console(closed_stack, "Night shift").detail(item["id"])["context"]["offline"]["contact"] is None


# -- @dialogue: natural yes/no at the contact and consent questions (issue #12) --------------------


@pytest.mark.parametrize(
    ("answer", "queued_as"),
    [
        ("sure, go ahead", "utter_handoff_offline_queued_contact"),
        ("nah, rather not", "utter_handoff_offline_queued_here"),
    ],
)
def test_a_natural_yes_or_no_answers_the_consent_question(
    closed_stack: Stack, answer: str, queued_as: str
) -> None:
    sender = f"night-{uuid.uuid4().hex[:8]}"
    chat(closed_stack, sender, "/human_handoff")
    assert chat(closed_stack, sender, "ava@example.com").responses == ["utter_ask_handoff_consent"]
    queued = chat(closed_stack, sender, answer)
    assert queued.responses == [queued_as]
    assert "pause" in [e["event"] for e in queued.events]


def test_nah_im_fine_at_the_contact_question_promises_a_reply_in_the_chat(closed_stack: Stack) -> None:
    sender = f"night-{uuid.uuid4().hex[:8]}"
    chat(closed_stack, sender, "/human_handoff")
    assert chat(closed_stack, sender, "nah I'm fine").responses == ["utter_handoff_offline_queued_here"]


def test_a_size_question_at_the_contact_question_is_answered_then_asked_again(closed_stack: Stack) -> None:
    sender = f"night-{uuid.uuid4().hex[:8]}"
    chat(closed_stack, sender, "/human_handoff")
    turn = chat(closed_stack, sender, "meanwhile, what size should I get? do your sizes run small?")
    assert turn.actions[:2] == ["action_size_question", "handoff_contact_form"]
    assert turn.responses == ["utter_size_charts", "utter_ask_handoff_contact"]
