"""Which responses the code and the data use: what Rasa's validator cannot see inside actions.

``rasa data validate`` only knows the responses stories and rules use, so it warns about every
response a custom action sends and cannot notice an action sending a response that does not exist
(the shopper would get silence). :func:`response_report` reads the domain, the training data, the
test stories and the Python of ``actions/`` and ``storefront/`` and answers both questions; the
foundation tests assert on it and ``make validate`` (``scripts/validate.py``) uses it to keep
Rasa's output to the warnings that matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import FrozenSet, Iterable, Set

import yaml

from core.settings import PROJECT_ROOT

NAME = re.compile(r"\butter_[a-z0-9_]+")
LITERAL = re.compile(r"""["'](utter_[a-z0-9_]+)["']""")
FSTRING_PREFIX = re.compile(r"""f["'](utter_[a-z0-9_]*)\{""")  # f"utter_return_created_{resolution}"
CODE_DIRS = ("actions", "storefront", "store", "integrations")
# Sent by Rasa's own default actions (action_default_fallback utters utter_default).
RASA_BUILT_IN = frozenset({"utter_default"})
# Literals that are not response names: the key under which Rasa 3.6 names the response a bot
# message came from (``metadata.utter_action`` of a ``bot`` event, read by actions/questions.py).
NOT_RESPONSES = frozenset({"utter_action"})


@dataclass(frozen=True)
class ResponseReport:
    """Responses by who uses them; the last three sets are problems."""

    defined: FrozenSet[str]
    sent_by_code: FrozenSet[str]
    missing_in_code: FrozenSet[str]
    missing_in_data: FrozenSet[str]
    unused: FrozenSet[str]

    @property
    def ok(self) -> bool:
        return not (self.missing_in_code or self.missing_in_data or self.unused)


def _code(root: Path) -> str:
    return "\n".join(p.read_text() for d in CODE_DIRS for p in sorted((root / d).rglob("*.py")))


def _data_files(root: Path) -> Iterable[Path]:
    yield from sorted((root / "data").rglob("*.yml"))
    yield root / "tests" / "test_stories.yml"


def _form_questions(domain: dict) -> Set[str]:
    forms = domain.get("forms") or {}
    return {
        name
        for form, spec in forms.items()
        for slot in spec.get("required_slots", [])
        for name in (f"utter_ask_{slot}", f"utter_ask_{form}_{slot}")
    }


def response_report(root: Path = PROJECT_ROOT) -> ResponseReport:
    """Compare the domain's responses with what the code and the data send."""
    domain = yaml.safe_load((root / "domain.yml").read_text())
    defined = set(domain.get("responses") or {})
    code = _code(root)
    literals = set(LITERAL.findall(code)) - NOT_RESPONSES
    # Starts of names the code builds: f"utter_x_{reason}", or a literal used as a prefix.
    prefixes = set(FSTRING_PREFIX.findall(code)) | {
        lit for lit in literals - defined if any(r.startswith(lit) for r in defined)
    }
    by_prefix = {name for name in defined if any(name.startswith(p) for p in prefixes)}
    in_data = {name for path in _data_files(root) if path.exists() for name in NAME.findall(path.read_text())}
    sent_by_code = (literals & defined) | by_prefix
    used = sent_by_code | in_data | _form_questions(domain) | RASA_BUILT_IN
    return ResponseReport(
        defined=frozenset(defined),
        sent_by_code=frozenset(sent_by_code),
        missing_in_code=frozenset(literals - defined - prefixes),
        missing_in_data=frozenset(in_data - defined),
        unused=frozenset(defined - used),
    )
