"""Token patterns for clothing and shoe sizes, and the context rules that keep them precise.

Values follow the store's labels (``store.sizes.canonical_size``): ``M``, ``XL``, ``US 9.5``,
``UK 8``, ``EU 42``, ``10.5``, ``32``. A bare number or a word such as "large" is a size only in
a size-like context ("size 10", "a medium hoodie", "medium or large", a message that is only
"10"), because elsewhere it is a quantity, a price or an order number.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Set

from spacy.tokens import Span

_SYSTEMS = ["us", "uk", "eu", "eur"]
_NUM = r"^\d{1,2}(?:\.5)?$"
_LETTERS = {
    "xxxs": "XXXS",
    "xxs": "XXS",
    "xs": "XS",
    "xl": "XL",
    "xxl": "XXL",
    "2xl": "XXL",
    "xxxl": "XXXL",
    "3xl": "XXXL",
    "4xl": "4XL",
}
_WORDS = {"small": "S", "medium": "M", "large": "L", "med": "M"}
_EXTRA = {"extra": "X", "x": "X", "xx": "XX"}

SIZE_PATTERNS: Dict[str, List[List[Dict[str, Any]]]] = {
    "SYSTEM_NUMBER": [[{"LOWER": {"IN": _SYSTEMS}}, {"LOWER": "size", "OP": "?"}, {"TEXT": {"REGEX": _NUM}}]],
    "SYSTEM_GLUED": [[{"LOWER": {"REGEX": r"^(us|uk|eu)\d{1,2}(\.5)?$"}}]],
    "NUMBER_SYSTEM": [[{"TEXT": {"REGEX": _NUM}}, {"LOWER": {"IN": _SYSTEMS}}]],
    "LETTER": [[{"LOWER": {"IN": list(_LETTERS)}}]],
    "LETTER_SINGLE": [[{"LOWER": {"IN": ["s", "m", "l"]}}]],
    "WORD": [
        [
            {"LOWER": {"IN": list(_EXTRA)}, "OP": "?"},
            {"ORTH": "-", "OP": "?"},
            {"LOWER": {"IN": list(_WORDS)}},
        ],
        [{"LOWER": {"IN": ["x-large", "xx-large", "x-small", "xx-small"]}}],
    ],
    "NUMBER": [[{"TEXT": {"REGEX": _NUM}}]],
    "WAIST_LENGTH": [
        [{"TEXT": {"REGEX": r"^\d{2}[x/]\d{2}$"}}],
        [{"LOWER": {"REGEX": r"^w\d{2}$"}}, {"LOWER": {"REGEX": r"^l\d{2}$"}, "OP": "?"}],
    ],
}

_SIZE_WORDS = {"size", "sizes", "sizing", "sz", "fit", "fits", "wear", "shoe", "shoes", "waist", "inseam"}
_NUMBER_BEFORE = {"size", "sizes", "sz", "a", "an", "wear", "wearing", "usually", "normally"}
_NUMBER_BEFORE_WITH_SIZE_TALK = {"in", "or", "and", "between", "to", "the", "is", "am", "a", "an", "from"}
_NOT_AFTER_NUMBER = {
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "yr",
    "yrs",
    "yo",
    "hour",
    "hours",
    "hr",
    "hrs",
    "minute",
    "minutes",
    "min",
    "mins",
    "item",
    "items",
    "pair",
    "pairs",
    "piece",
    "pieces",
    "%",
    "percent",
    "dollar",
    "dollars",
    "buck",
    "bucks",
    "euro",
    "euros",
    "pound",
    "pounds",
    "quid",
    "off",
    "time",
    "times",
    "am",
    "pm",
    ":",
    "star",
    "stars",
    "order",
    "orders",
    "left",
    "more",
    "of",
    "x",
}
_NOT_BEFORE_NUMBER = {
    "$",
    "£",
    "€",
    "#",
    "order",
    "number",
    "no",
    "no.",
    "ord",
    "+",
    "under",
    "over",
    "than",
    "about",
    "around",
    "within",
    "after",
    "only",
    "last",
    "first",
    "next",
}
_WORD_BEFORE = {
    "size",
    "sz",
    "a",
    "an",
    "in",
    "the",
    "usually",
    "normally",
    "wear",
    "wearing",
    "or",
    "between",
    "get",
    "got",
    "ordered",
    "want",
    "need",
    "try",
    "any",
    "swap",
    "for",
}
_WORD_NOT_BEFORE = {
    "too",
    "so",
    "very",
    "run",
    "runs",
    "running",
    "ran",
    "bit",
    "little",
    "fairly",
    "quite",
    "pretty",
    "rather",
    "really",
    "way",
    "slightly",
}
_WORD_AFTER_OK = {
    "or",
    "and",
    "please",
    "pls",
    "size",
    "instead",
    "one",
    "ones",
    "fits",
    "fit",
    "would",
    "should",
    "will",
    "is",
    "too",
    "but",
    "then",
    "in",
    "for",
    "thanks",
    "thank",
    "available",
    "left",
    "back",
    "version",
    "if",
    "?",
    "/",
    "to",
}
_FILLER = {"size", "sz", "a", "an", "in", "the", "please", "pls", "i'm", "im", "usually", "normally"}


def _neighbours(span: Span) -> tuple:
    doc = span.doc
    prev = doc[span.start - 1] if span.start > 0 else None
    nxt = doc[span.end] if span.end < len(doc) else None
    return prev, nxt


def _alone(span: Span) -> bool:
    """Whether the message is essentially just this size ("10", "a medium", "size 9 please")."""
    others = [t for t in span.doc if not t.is_punct and not (span.start <= t.i < span.end)]
    return all(t.lower_ in _FILLER for t in others)


def size_context_ok(name: str, span: Span, catalog_norms: Set[str]) -> bool:
    """Whether a pattern match is a size in this sentence (see the module docstring)."""
    prev, nxt = _neighbours(span)
    prev_lower = prev.lower_ if prev is not None else ""
    next_lower = nxt.lower_ if nxt is not None else ""
    if name in ("SYSTEM_NUMBER", "SYSTEM_GLUED", "NUMBER_SYSTEM", "LETTER", "WAIST_LENGTH"):
        return next_lower not in _NOT_AFTER_NUMBER
    if name == "LETTER_SINGLE":
        if span.text.isupper():
            return next_lower not in {"'", "&", ".", "-"} and prev_lower not in {"'", "&", "-"}
        return prev_lower in {"size", "sz", "a", "an", "in", "or"} or next_lower == "or" or _alone(span)
    if name == "WORD":
        if prev_lower in _WORD_NOT_BEFORE:
            return False
        before_ok = prev_lower in _WORD_BEFORE or next_lower in {"or", "/"} or _alone(span)
        after_ok = (
            nxt is None
            or nxt.is_punct
            or not nxt.is_alpha
            or next_lower in _WORD_AFTER_OK
            or nxt.norm_ in catalog_norms
        )
        return before_ok and after_ok
    if name == "NUMBER":
        value = float(span.text)
        if not 0 < value <= 60 or prev_lower in _NOT_BEFORE_NUMBER or next_lower in _NOT_AFTER_NUMBER:
            return False
        if (
            nxt is not None
            and nxt.text in {".", ","}
            and nxt.i + 1 < len(span.doc)
            and span.doc[nxt.i + 1].is_digit
        ):
            return False
        if span.text.endswith(".5") and 3 <= value <= 16.5:
            return True
        if prev_lower in _NUMBER_BEFORE or _alone(span):
            return True
        size_talk = any(t.lower_ in _SIZE_WORDS or t.norm_ in catalog_norms for t in span.doc)
        return size_talk and prev_lower in _NUMBER_BEFORE_WITH_SIZE_TALK
    return False


def _number(text: str) -> str:
    value = text.lstrip("0") or "0"
    return value[:-2] if value.endswith(".0") else value


def size_value(name: str, span: Span) -> Optional[str]:
    """The canonical size label for a match (``"UK 8"``, ``"XL"``, ``"10.5"``)."""
    words = [t.lower_ for t in span]
    if name == "SYSTEM_NUMBER":
        system = "EU" if words[0] == "eur" else words[0].upper()
        return f"{system} {_number(words[-1])}"
    if name == "SYSTEM_GLUED":
        match = re.match(r"^(us|uk|eu)(.+)$", words[0])
        return f"{match.group(1).upper()} {_number(match.group(2))}" if match else None
    if name == "NUMBER_SYSTEM":
        system = "EU" if words[1] == "eur" else words[1].upper()
        return f"{system} {_number(words[0])}"
    if name == "LETTER":
        return _LETTERS[words[0]]
    if name == "LETTER_SINGLE":
        return words[0].upper()
    if name == "WORD":
        if words[0] in ("x-large", "xx-large", "x-small", "xx-small"):
            prefix, base = words[0].split("-")
            return ("X" * len(prefix)) + _WORDS[base]
        base = _WORDS[words[-1]]
        prefix = _EXTRA.get(words[0], "") if len(words) > 1 else ""
        return prefix + base if base in ("S", "L") else base
    if name == "NUMBER":
        return _number(words[0])
    if name == "WAIST_LENGTH":
        numbers = re.findall(r"\d{2}", " ".join(words))
        return "x".join(numbers) if len(numbers) > 1 else numbers[0]
    return None
