"""The words the assistant was trained on, to tell gibberish from an off-topic request.

A message none of whose words occurs in the training examples of the in-scope intents is not a
question the assistant misread: it is noise ("asdfjkl", "qwpo zzk"). Out-of-scope examples are
left out on purpose, since they include gibberish so that the classifier does not call it a
request. Words of one letter prove nothing ("a sdfkj") and are ignored.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, Iterable

import yaml

from core.settings import PROJECT_ROOT

NLU_DIR = PROJECT_ROOT / "data" / "nlu"
NOT_IN_SCOPE = frozenset({"out_of_scope", "nlu_fallback"})

_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
_WORD = re.compile(r"[a-z]{2,}")


def words(text: str) -> FrozenSet[str]:
    """Lower-case words of two letters or more, with entity annotations reduced to their text."""
    return frozenset(_WORD.findall(_ANNOTATION.sub(r"\\1", text).lower()))


def training_words(files: Iterable[Path]) -> FrozenSet[str]:
    """Words of the in-scope intents' examples, synonyms and lookup tables in ``files``."""
    found: set[str] = set()
    for path in files:
        for item in (yaml.safe_load(path.read_text()) or {}).get("nlu") or []:
            if item.get("intent") in NOT_IN_SCOPE or "regex" in item:
                continue
            found |= words(str(item.get("examples") or ""))
    return frozenset(found)


@lru_cache(maxsize=1)
def known_words() -> FrozenSet[str]:
    """The project's in-scope training vocabulary (read once per action-server process)."""
    return training_words(sorted(NLU_DIR.glob("*.yml")))


def knows_any_word(text: str) -> bool:
    """Whether at least one word of ``text`` is in the in-scope training vocabulary."""
    return bool(words(text) & known_words())
