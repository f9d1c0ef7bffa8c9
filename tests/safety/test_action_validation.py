"""storefront.action_validation: the same verdict and message as Rasa's own response check."""

from __future__ import annotations

import random
from typing import Any, Dict, Iterator, Optional

import pytest
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction

from storefront import action_validation

VALID = {
    "events": [{"event": "slot", "name": "verified_order", "value": "1001", "timestamp": None}],
    "responses": [{"response": "utter_greet"}],
}
INVALID = [
    {"events": [{"event": "slot", "name": 3}]},  # a slot name must be a string
    {"events": "not a list"},
    {"responses": [42]},
    "not an object",
]


@pytest.fixture()
def installed() -> Iterator[None]:
    action_validation.install()
    try:
        yield
    finally:
        action_validation.uninstall()


def _verdict(result: Any) -> Optional[str]:
    """None when the response passes, else the error message Rasa raises."""
    try:
        RemoteAction("action_x", None)._validate_action_result(result)
        return None
    except ValidationError as error:
        return error.message


@pytest.mark.parametrize("response", [VALID, *INVALID])
def test_the_compiled_check_agrees_with_rasas(response: Dict[str, Any]) -> None:
    rasas = _verdict(response)
    action_validation.install()
    try:
        ours = _verdict(response)
    finally:
        action_validation.uninstall()
    assert ours == rasas
    assert (ours is None) == (response is VALID)


def test_install_is_idempotent_and_uninstall_restores_rasas_method(installed: None) -> None:
    replaced = RemoteAction._validate_action_result
    action_validation.install()
    assert RemoteAction._validate_action_result is replaced
    action_validation.uninstall()
    assert RemoteAction._validate_action_result is not replaced
    assert _verdict(VALID) is None


_NAMES = [
    "user", "action", "slot", "entities", "user_featurization", "cancel_reminder", "reminder",
    "action_execution_rejected", "form_validation", "loop_interrupted", "form", "active_loop",
    "reset_slots", "resume", "pause", "followup", "export", "restart", "undo", "rewind", "bot",
    "session_started", "agent", "no_such_event",
]  # fmt: skip
_VALUES = [None, True, False, 0, 1, -2.5, float("nan"), "", "text", [], ["a"], {}, {"k": 1}]
_KEYS = ["event", "timestamp", "metadata", "name", "value", "policy", "confidence", "hide_rule_turn",
         "action_text", "entities", "text", "parse_data", "other"]  # fmt: skip


def _random_event(chance: random.Random) -> Any:
    if chance.random() < 0.05:
        return chance.choice(_VALUES)
    event: Dict[str, Any] = {}
    if chance.random() < 0.95:
        event["event"] = chance.choice(_NAMES) if chance.random() < 0.9 else chance.choice(_VALUES)
    for key in chance.sample(_KEYS, chance.randint(0, 4)):
        event[key] = chance.choice(_VALUES) if chance.random() < 0.5 else _typical(key, chance)
    return event


def _typical(key: str, chance: random.Random) -> Any:
    return {"timestamp": 1712345678.25, "metadata": {}, "name": "verified_order", "value": "1001",
            "policy": "RulePolicy", "confidence": 1, "hide_rule_turn": False, "action_text": None,
            "entities": [{"entity": "size", "value": "M"}], "text": "hi"}.get(key, "x")  # fmt: skip


def _random_answer(chance: random.Random) -> Any:
    if chance.random() < 0.03:
        return chance.choice(_VALUES)
    answer: Dict[str, Any] = {}
    if chance.random() < 0.9:
        answer["events"] = [_random_event(chance) for _ in range(chance.randint(0, 4))]
        if chance.random() < 0.03:
            answer["events"] = chance.choice(_VALUES)
    if chance.random() < 0.7:
        answer["responses"] = [{"text": "hi"} if chance.random() < 0.9 else chance.choice(_VALUES)
                               for _ in range(chance.randint(0, 3))]  # fmt: skip
    return answer


def test_the_shortcut_says_valid_only_when_the_schema_does() -> None:
    validator = action_validation._compiled_validator()
    chance = random.Random(13)
    shortcut = schema_valid = 0
    for _ in range(6000):
        answer = _random_answer(chance)
        valid = best_match(validator.iter_errors(answer)) is None
        schema_valid += valid
        if action_validation.plainly_valid(answer):
            shortcut += 1
            assert valid, answer
    assert shortcut > 500 and schema_valid > shortcut  # both verdicts were seen, and left to jsonschema


def test_the_actions_usual_answers_take_the_shortcut() -> None:
    usual = {
        "events": [
            {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None},
            {"event": "active_loop", "timestamp": None, "name": None},
            {"event": "followup", "timestamp": None, "name": "action_listen"},
            {"event": "bot", "timestamp": 1712345678.5, "text": "Here it is", "data": {}, "metadata": {}},
            {"event": "action", "name": "action_listen", "policy": None, "confidence": None},
            {"event": "pause"},
        ],
        "responses": [
            {"text": "hello", "buttons": [{"title": "a", "payload": "/b"}]},
            {"response": "utter_x"},
        ],
    }
    assert action_validation.plainly_valid(usual) and _verdict(usual) is None
    user = {"events": [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}}]}
    assert not action_validation.plainly_valid(user)  # left to jsonschema
