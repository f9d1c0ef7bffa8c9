"""Debug-only texts (RulePolicy's states, the processor's slots) are built only when a log can show them."""

from __future__ import annotations

import ast
import copy
import inspect
import logging
from typing import Iterator

import pytest
from rasa.core import processor
from rasa.core.actions import forms
from rasa.core.policies import memoization, rule_policy
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
    names = (rule_policy.__name__, processor.__name__, memoization.__name__, forms.__name__, "rasa", "")
    loggers = [logging.getLogger(name) for name in names]
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


def _copy_uses(source: str) -> tuple[int, int]:
    """How often ``source`` reads the name ``copy``, and how many of those are a ``copy.deepcopy(...)``
    given as a keyword argument of ``structlogger.debug(...)``."""
    tree = ast.parse(source)
    uses = sum(
        1 for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id == "copy" and isinstance(node.ctx, ast.Load)
    )  # fmt: skip
    debug_copies = 0
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "debug"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "structlogger"
        ):
            continue
        for keyword in node.keywords:
            value = keyword.value
            if (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Attribute)
                and value.func.attr == "deepcopy"
                and isinstance(value.func.value, ast.Name)
                and value.func.value.id == "copy"
            ):
                debug_copies += 1
    return uses, debug_copies


@pytest.mark.parametrize("module", debug_text.DEBUG_COPY_MODULES, ids=lambda module: module.__name__)
def test_every_use_of_copy_in_the_patched_modules_is_a_debug_events_argument(module: object) -> None:
    """If Rasa used ``copy`` for anything else in these modules, skipping the copy would change it."""
    uses, debug_copies = _copy_uses(inspect.getsource(module))  # type: ignore[arg-type]
    assert debug_copies > 0
    assert uses == debug_copies


def test_the_source_check_sees_a_copy_that_is_not_a_debug_argument() -> None:
    source = (
        "import copy\n"
        "def f(structlogger, states):\n"
        "    structlogger.debug('e', states=copy.deepcopy(states))\n"
        "    structlogger.info('e', states=copy.deepcopy(states))\n"
        "    return copy.copy(states)\n"
    )
    assert _copy_uses(source) == (3, 1)


def test_without_debug_logging_the_debug_arguments_are_not_copied(installed: None) -> None:
    states = [{"user": {"intent": "greet"}}]
    for module in debug_text.DEBUG_COPY_MODULES:
        assert module.copy.deepcopy(states) is states  # type: ignore[attr-defined]


@pytest.mark.parametrize("logger_name", [memoization.__name__, "rasa", ""], ids=["module", "rasa", "root"])
def test_with_debug_logging_the_debug_arguments_are_deep_copies(installed: None, logger_name: str) -> None:
    logging.getLogger(logger_name).setLevel(logging.DEBUG)
    states = [{"user": {"intent": "greet"}}]
    copied = memoization.copy.deepcopy(states)  # type: ignore[attr-defined]
    assert copied == states and copied is not states and copied[0] is not states[0]


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
    assert all(module.copy is copy for module in debug_text.DEBUG_COPY_MODULES)  # type: ignore[attr-defined]
