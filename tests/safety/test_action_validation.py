"""storefront.action_validation: the same verdict and message as Rasa's own response check."""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional

import pytest
from jsonschema import ValidationError
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
