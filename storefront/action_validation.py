"""Validate the action server's answers against Rasa's schema once compiled, not once per call.

Rasa 3.6 checks every action server response (``RemoteAction._validate_action_result``) with
``jsonschema.validate(result, schema)``. That function first validates the *schema* against the
JSON Schema meta-schema and builds a new validator, on every call: under load it was 43% of the
Rasa server's CPU (profile in docs/performance.md), more than the policies and the NLU together.
The schema is a constant, so :func:`install` replaces the method once at start-up with the same
check through a validator built once: the same schema, the same ``best_match`` error and the
same message Rasa adds to it. There is no hook for this in Rasa, hence the replacement, installed
like :mod:`storefront.action_fallback` and undone by :func:`uninstall` in tests.

Even compiled, ``jsonschema`` takes about 1.8 ms for an answer of six events: every event is tried
against all 23 alternatives of the events schema's ``oneOf``. :func:`plainly_valid` first answers
for the shapes this project's actions return (slots set, actions, bot messages, follow-ups, loops,
pauses...) by the schema's own rules: each alternative is chosen by its ``event`` name (a
``const``), so an event with a known name matches that one alternative or none, and only its
properties' types remain to check. It only ever says "valid" when the schema would; anything else
(a user message, entities, an unknown name, a value of another type) goes to the validator, which
gives Rasa's verdict and message. ``tests/safety/test_action_validation.py`` checks it against the
validator on thousands of generated answers, valid and not.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_original: List[Callable[..., bool]] = []


def _compiled_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


_ONLY_NAMED = frozenset({
    "user_featurization", "cancel_reminder", "reminder", "action_execution_rejected",
    "form_validation", "loop_interrupted", "form", "active_loop", "reset_slots", "resume", "pause",
    "followup", "export", "restart", "undo", "rewind", "bot", "session_started", "agent",
})  # fmt: skip
"""Event names whose alternative in Rasa's events schema constrains nothing but the name."""


def _is_number(value: Any) -> bool:
    """JSON schema's ``number`` for values JSON gives (int or float, never a boolean)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _string_or_null(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _number_or_null(value: Any) -> bool:
    return value is None or _is_number(value)


def _boolean(value: Any) -> bool:
    return isinstance(value, bool)


_ACTION_PROPERTIES: Dict[str, Callable[[Any], bool]] = {
    "policy": _string_or_null, "confidence": _number_or_null, "name": _string_or_null,
    "hide_rule_turn": _boolean, "action_text": _string_or_null,
}  # fmt: skip
"""The types of an action event's properties in Rasa's events schema (each checked when present)."""


def _plain_event(event: Any) -> bool:
    if not isinstance(event, dict):
        return False
    name = event.get("event")
    if not isinstance(name, str):
        return False
    if "timestamp" in event and not (event["timestamp"] is None or _is_number(event["timestamp"])):
        return False
    if "metadata" in event and not (event["metadata"] is None or isinstance(event["metadata"], dict)):
        return False
    if name in _ONLY_NAMED:
        return True
    if name == "slot":
        return isinstance(event.get("name"), str) and "value" in event
    if name == "action":
        return all(check(event[key]) for key, check in _ACTION_PROPERTIES.items() if key in event)
    return False  # user messages, entities, unknown names: the validator decides


def plainly_valid(result: Any) -> bool:
    """True only when ``result`` certainly satisfies Rasa's action response schema."""
    if not isinstance(result, dict):
        return False
    if "responses" in result:
        responses = result["responses"]
        if not isinstance(responses, list) or not all(isinstance(each, dict) for each in responses):
            return False
    if "events" in result:
        events = result["events"]
        if not isinstance(events, list) or not all(_plain_event(event) for event in events):
            return False
    return True


def validate_once_compiled(validator: Any) -> Callable[[RemoteAction, Dict[str, Any]], bool]:
    """Rasa's ``_validate_action_result`` with ``validator`` built once."""

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        if plainly_valid(result):
            return True
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error

    return _validate_action_result


def install() -> None:
    """Validate action server responses with a validator compiled once (idempotent)."""
    if _original:
        return
    _original.append(RemoteAction._validate_action_result)
    RemoteAction._validate_action_result = validate_once_compiled(_compiled_validator())  # type: ignore[method-assign]


def uninstall() -> None:
    """Put Rasa's own method back (for tests)."""
    if _original:
        RemoteAction._validate_action_result = _original.pop()  # type: ignore[method-assign]


__all__ = ["ValidationError", "install", "plainly_valid", "uninstall", "validate_once_compiled"]
