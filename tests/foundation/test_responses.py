"""Responses and the code that sends them agree (Rasa's validator cannot see inside actions).

`rasa data validate` only knows responses used in stories and rules, so it warns about every
response an action sends and cannot notice an action sending a response that does not exist
(the shopper would get silence). This checks both directions across stories, rules, forms and
the Python that runs in the action server and the Rasa server.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Set

import yaml

from storefront.settings import PROJECT_ROOT

NAME = re.compile(r"\butter_[a-z0-9_]+")
LITERAL = re.compile(r"""["'](utter_[a-z0-9_]+)["']""")
FSTRING_PREFIX = re.compile(r"""f["'](utter_[a-z0-9_]*)\{""")  # f"utter_return_created_{resolution}"
CODE_DIRS = ("actions", "storefront")
DATA_FILES = [*sorted((PROJECT_ROOT / "data").rglob("*.yml")), PROJECT_ROOT / "tests" / "test_stories.yml"]
# Sent by Rasa's own default actions (action_default_fallback utters utter_default).
RASA_BUILT_IN = {"utter_default"}


def _domain() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())


def _code() -> str:
    return "\n".join(p.read_text() for d in CODE_DIRS for p in sorted((PROJECT_ROOT / d).rglob("*.py")))


def _literals_in_code() -> Set[str]:
    return set(LITERAL.findall(_code()))


def _prefixes(responses: Set[str]) -> Set[str]:
    """Starts of response names the code builds: f"utter_x_{reason}", or a literal used as a prefix."""
    literal_prefixes = {
        lit for lit in _literals_in_code() - responses if any(r.startswith(lit) for r in responses)
    }
    return literal_prefixes | set(FSTRING_PREFIX.findall(_code()))


def _referenced_in_data() -> Set[str]:
    return {name for path in DATA_FILES if path.exists() for name in NAME.findall(path.read_text())}


def _form_questions(domain: dict) -> Set[str]:
    forms = domain.get("forms") or {}
    slots = {slot for spec in forms.values() for slot in spec.get("required_slots", [])}
    return {f"utter_ask_{slot}" for slot in slots} | {
        f"utter_ask_{form}_{slot}" for form, spec in forms.items() for slot in spec.get("required_slots", [])
    }


def test_every_response_sent_by_code_exists() -> None:
    responses = set(_domain()["responses"])
    missing = _literals_in_code() - responses - _prefixes(responses)
    assert not missing, f"code sends responses that domain.yml does not define: {sorted(missing)}"


def test_every_response_is_used_somewhere() -> None:
    domain = _domain()
    responses = set(domain["responses"])
    prefixes = _prefixes(responses)
    used = _literals_in_code() | _referenced_in_data() | _form_questions(domain) | RASA_BUILT_IN
    unused = {
        name for name in responses if name not in used and not any(name.startswith(p) for p in prefixes)
    }
    assert not unused, f"responses nobody sends (delete them or use them): {sorted(unused)}"


def test_data_uses_only_defined_responses() -> None:
    responses = set(_domain()["responses"])
    missing = _referenced_in_data() - responses
    assert not missing, f"stories or rules use responses domain.yml does not define: {sorted(missing)}"


def test_code_dirs_exist() -> None:
    for folder in CODE_DIRS:
        assert Path(PROJECT_ROOT, folder).is_dir()
