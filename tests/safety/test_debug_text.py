"""Debug-only texts (RulePolicy's states, the processor's slots) are built only when a log can show them."""

from __future__ import annotations

import logging
from typing import Iterator

import pytest
from rasa.core import processor
from rasa.core.policies import rule_policy
from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.processor import MessageProcessor
from rasa.shared.core.slots import AnySlot
from rasa.shared.core.trackers import DialogueStateTracker

from storefront import debug_text

STATES = [
    {},
    {
        "user": {"intent": "order_status", "entities": ("order_number",)},
        "prev_action": {"action_name": "action_listen"},
    },
    {"prev_action": {"action_name": "order_lookup_form"}, "active_loop": {"name": "order_lookup_form"}},
]


class Written:
    """A slot value that counts how often it is written into a text."""

    def __init__(self) -> None:
        self.times = 0

    def __format__(self, spec: str) -> str:
        self.times += 1
        return "written"


@pytest.fixture()
def installed() -> Iterator[None]:
    debug_text.install()
    loggers = [logging.getLogger(name) for name in (rule_policy.__name__, processor.__name__, "rasa", "")]
    levels = [each.level for each in loggers]
    for each in loggers[:-1]:
        each.setLevel(logging.NOTSET)
    loggers[-1].setLevel(logging.INFO)
    try:
        yield
    finally:
        for each, level in zip(loggers, levels, strict=True):
            each.setLevel(level)
        debug_text.uninstall()


def tracker_with(value: Written) -> DialogueStateTracker:
    tracker = DialogueStateTracker("shopper", [AnySlot("probe", mappings=[])])
    tracker.slots["probe"].value = value
    return tracker


def test_without_debug_logging_no_text_is_built(installed: None) -> None:
    assert Policy.format_tracker_states(STATES)  # what Rasa would have built for nothing
    assert RulePolicy.format_tracker_states(STATES) == ""
    value = Written()
    MessageProcessor._log_slots(tracker_with(value))
    assert value.times == 0


@pytest.mark.parametrize("logger_name", [rule_policy.__name__, "rasa", ""], ids=["policy", "rasa", "root"])
def test_with_debug_logging_the_states_text_is_rasas(installed: None, logger_name: str) -> None:
    logging.getLogger(logger_name).setLevel(logging.DEBUG)
    assert RulePolicy.format_tracker_states(STATES) == Policy.format_tracker_states(STATES)
    assert "user intent: order_status" in RulePolicy.format_tracker_states(STATES)


@pytest.mark.parametrize("logger_name", [processor.__name__, "rasa", ""], ids=["processor", "rasa", "root"])
def test_with_debug_logging_the_slots_are_written_as_rasa_writes_them(
    installed: None, logger_name: str
) -> None:
    logging.getLogger(logger_name).setLevel(logging.DEBUG)
    value = Written()
    MessageProcessor._log_slots(tracker_with(value))
    assert value.times == 1


def test_uninstall_gives_rasa_its_methods_back() -> None:
    rasas_log_slots = MessageProcessor.__dict__["_log_slots"]
    debug_text.install()
    debug_text.install()  # idempotent
    assert RulePolicy.format_tracker_states is debug_text.format_tracker_states
    assert MessageProcessor._log_slots is debug_text.log_slots
    debug_text.uninstall()
    assert RulePolicy.format_tracker_states is Policy.format_tracker_states
    assert "format_tracker_states" not in RulePolicy.__dict__
    assert MessageProcessor.__dict__["_log_slots"] is rasas_log_slots
