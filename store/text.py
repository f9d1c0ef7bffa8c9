"""The words of product titles and shopper queries, shared by search and the NLU vocabulary."""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    {"a", "an", "the", "for", "in", "of", "with", "and", "or", "some", "any", "me", "i", "my"}
)
"""Words that never narrow a product search (``"a jacket for me"`` searches for ``jacket``)."""


def words(text: str) -> list[str]:
    """Lower-cased words and numbers of ``text``; a decimal such as ``9.5`` stays one word."""
    return re.findall(r"[a-z0-9]+(?:\.[0-9])?", text.lower())


def stem(word: str) -> str:
    """A crude English singular (``jackets`` -> ``jacket``, ``hoodies`` -> ``hoody``), enough to
    make a query and a title meet; short words are left alone so ``gas`` stays ``gas``."""
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word
