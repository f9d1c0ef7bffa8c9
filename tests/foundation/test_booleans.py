"""The one reader of yes/no settings: YAML booleans, env-style words, blanks and mistakes."""

from __future__ import annotations

from typing import Any

import pytest

from core.booleans import parse_bool


@pytest.mark.parametrize(
    "value,expected",
    [
        (True, True),
        (False, False),
        ("true", True),
        (" TRUE ", True),
        ("Yes", True),
        ("on", True),
        ("1", True),
        (1, True),
        ("false", False),
        ("No", False),
        ("off", False),
        ("0", False),
        (0, False),
    ],
)
def test_words_and_booleans(value: Any, expected: bool) -> None:
    assert parse_bool(value, name="flag") is expected


@pytest.mark.parametrize("value", [None, "", "   "])
@pytest.mark.parametrize("default", [True, False])
def test_a_missing_or_blank_value_is_the_default(value: Any, default: bool) -> None:
    assert parse_bool(value, name="flag", default=default) is default


@pytest.mark.parametrize("value", ["maybe", "ture", "2", "yes please", 2, "none"])
def test_anything_else_is_refused_with_the_settings_name(value: Any) -> None:
    with pytest.raises(ValueError, match=r"^background=.* must be true or false$"):
        parse_bool(value, name="background", default=True)
