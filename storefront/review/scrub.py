"""Personal data out of a labelled message: contact details, order numbers and names become placeholders.

:func:`core.redact.redact` (the log redaction) finds emails, phone numbers and street addresses;
order numbers and names a shopper gives ("my name is Ava Jones") are found here. Each is replaced by
one fixed example value, so the training data keeps the message's shape; the learned entities
(``email``, ``phone``, ``order_number``) are annotated on the placeholder, as in ``data/nlu/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Tuple

from core.redact import ADDRESS_MARK, EMAIL_MARK, PHONE_MARK, redact

ORDER_MARK = "[order]"
NAME_MARK = "[name]"

PLACEHOLDERS: Dict[str, Tuple[str, str]] = {
    # mark: (plain placeholder, annotated placeholder in Rasa's training-data syntax)
    EMAIL_MARK: ("shopper@example.com", "[shopper@example.com](email)"),
    PHONE_MARK: ("+1 555 010 0199", "[+1 555 010 0199](phone)"),
    ORDER_MARK: ("#1234", "[#1234](order_number)"),
    ADDRESS_MARK: ("1 Sample Street", "1 Sample Street"),
    NAME_MARK: ("Alex", "Alex"),
}

# Order numbers with a cue ("#1042", "order 1042", "order no. 1042") are replaced before the street
# addresses, so "order 1042 on its way" is not taken for an address; then a lone run of 4 to 12 digits
# (the store's order numbers). Decimals, sizes and quantities (one to three digits) stay.
_CUED_ORDER = re.compile(
    r"#\s{0,2}\d{1,12}\b|\b(?<=order )(?:no\.?\s{0,2}|number\s{1,2})?\d{3,12}\b", re.IGNORECASE
)
_LONE_NUMBER = re.compile(r"(?<![\d.,])\d{4,12}(?![\d.,]\d)")
_NAME_CUE = re.compile(
    r"\b(?P<cue>my name is|my name's|this is|i am|i'm|im|call me|signed|regards|thanks|cheers),?\s+"
    r"(?P<name>[A-Z][a-z'\-]{1,30}(?:\s+[A-Z][a-z'\-]{1,30})?)",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset(
    {"a", "an", "the", "not", "so", "very", "just", "still", "looking", "trying", "having", "getting",
     "going", "after", "from", "in", "on", "at", "sorry", "fine", "good", "ok", "okay", "here", "back",
     "done", "ready", "sure", "unable", "waiting", "new"}
)  # fmt: skip
_MARKUP = re.compile(r"[\[\]{}]")  # Rasa's entity syntax: a shopper's brackets must not become one
MAX_CHARS = 500


@dataclass(frozen=True)
class Scrubbed:
    """A message without personal data: ``text`` to show and compare, ``annotated`` to train on."""

    text: str
    annotated: str


def _names(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if not name[0].isupper() or name.split()[0].lower() in _NOT_NAMES:
            return match.group(0)
        return match.group(0)[: match.start("name") - match.start(0)] + NAME_MARK

    return _NAME_CUE.sub(replace, text)


def scrub(message: str) -> Scrubbed:
    """``message`` on one line, with every email, phone number, address, order number and name replaced."""
    text = " ".join(_MARKUP.sub(" ", message).split())[:MAX_CHARS]
    marked = _LONE_NUMBER.sub(ORDER_MARK, redact(_CUED_ORDER.sub(ORDER_MARK, _names(text))))
    plain, annotated = marked, marked
    for mark, (value, annotation) in PLACEHOLDERS.items():
        plain, annotated = plain.replace(mark, value), annotated.replace(mark, annotation)
    return Scrubbed(text=plain, annotated=annotated)
