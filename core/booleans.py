"""Reading a yes/no setting that may come from YAML (a real bool) or from text (env, credentials)."""

from __future__ import annotations

from typing import Any

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def parse_bool(value: Any, *, name: str, default: bool = False) -> bool:
    """``value`` as a boolean; None or blank text is ``default``.

    Anything else that is not one of :data:`TRUE_WORDS` or :data:`FALSE_WORDS` (any case) is a
    mistake in the configuration, refused rather than read as false.

    Raises:
        ValueError: naming ``name``, when ``value`` is neither true nor false.
    """
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if not text:
        return default
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(f"{name}={value!r} must be true or false")
