"""Validate the action server's answers against Rasa's schema once compiled, not once per call.

Rasa 3.6 checks every action server response (``RemoteAction._validate_action_result``) with
``jsonschema.validate(result, schema)``. That function first validates the *schema* against the
JSON Schema meta-schema and builds a new validator, on every call: under load it was 43% of the
Rasa server's CPU (profile in docs/performance.md), more than the policies and the NLU together.
The schema is a constant, so :func:`install` replaces the method once at start-up with the same
check through a validator built once: the same schema, the same ``best_match`` error and the
same message Rasa adds to it. There is no hook for this in Rasa, hence the replacement, installed
like :mod:`storefront.action_fallback` and undone by :func:`uninstall` in tests.
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


def validate_once_compiled(validator: Any) -> Callable[[RemoteAction, Dict[str, Any]], bool]:
    """Rasa's ``_validate_action_result`` with ``validator`` built once."""

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
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


__all__ = ["ValidationError", "install", "uninstall", "validate_once_compiled"]
