"""RulePolicy's debug-only description of the states is built only when a debug log can show it."""

from __future__ import annotations

import logging
from typing import Iterator

import pytest
from rasa.core.policies import rule_policy
from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RulePolicy

from storefront import debug_text

STATES = [
    {},
    {
        "user": {"intent": "order_status", "entities": ("order_number",)},
        "prev_action": {"action_name": "action_listen"},
    },
    {"prev_action": {"action_name": "order_lookup_form"}, "active_loop": {"name": "order_lookup_form"}},
]


@pytest.fixture()
def installed() -> Iterator[None]:
    debug_text.install()
    policy_logger, root = logging.getLogger(rule_policy.__name__), logging.getLogger()
    levels = policy_logger.level, root.level
    policy_logger.setLevel(logging.NOTSET)
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        policy_logger.setLevel(levels[0])
        root.setLevel(levels[1])
        debug_text.uninstall()


def test_without_debug_logging_the_text_is_not_built(installed: None) -> None:
    assert Policy.format_tracker_states(STATES)  # what Rasa would have built for nothing
    assert RulePolicy.format_tracker_states(STATES) == ""


@pytest.mark.parametrize("logger_name", [rule_policy.__name__, "rasa", ""], ids=["policy", "rasa", "root"])
def test_with_debug_logging_the_text_is_rasas(installed: None, logger_name: str) -> None:
    logging.getLogger(logger_name).setLevel(logging.DEBUG)
    try:
        assert RulePolicy.format_tracker_states(STATES) == Policy.format_tracker_states(STATES)
        assert "user intent: order_status" in RulePolicy.format_tracker_states(STATES)
    finally:
        logging.getLogger(logger_name).setLevel(logging.NOTSET if logger_name else logging.INFO)


def test_uninstall_gives_rule_policy_rasas_method_back() -> None:
    debug_text.install()
    debug_text.install()  # idempotent
    assert RulePolicy.format_tracker_states is debug_text.format_tracker_states
    debug_text.uninstall()
    assert RulePolicy.format_tracker_states is Policy.format_tracker_states
    assert "format_tracker_states" not in RulePolicy.__dict__
