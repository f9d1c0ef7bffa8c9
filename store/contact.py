"""Normalising what shoppers type: order numbers, emails and phone numbers."""

from __future__ import annotations

import re
from typing import Optional

# bounded gaps: "order\s*" and "#?\s*" side by side made this pattern quadratic on long whitespace
_ORDER_NUMBER = re.compile(r"(?:order\s{0,3})?(?:no\.?\s{0,3})?#?\s{0,3}0{0,20}(\d{1,12})", re.IGNORECASE)
MAX_ORDER_NUMBER_CHARS = 48  # "order no. # 000123456789012" with room to spare
MIN_PHONE_DIGITS = 7


def parse_order_number(text: str) -> Optional[int]:
    """``"#1001"``, ``"1001"``, ``" 1001 "`` -> 1001; anything else -> None."""
    value = (text or "").strip()
    if len(value) > MAX_ORDER_NUMBER_CHARS:
        return None
    match = _ORDER_NUMBER.fullmatch(value)
    return int(match.group(1)) if match else None


def normalize_email(text: Optional[str]) -> Optional[str]:
    """Lower-cased, trimmed email, or None when ``text`` is not an email."""
    if not text:
        return None
    value = text.strip().lower()
    # "local@domain" with a dot inside the domain, checked by hand: the pattern this replaces
    # ([^@\s]+@[^@\s]+\.[^@\s]+) backtracked quadratically over a long domain
    local, _, domain = value.partition("@")
    if not local or "@" not in value or "@" in domain or value.split() != [value]:
        return None
    return value if "." in domain[1:-1] else None


def phone_key(text: Optional[str]) -> Optional[str]:
    """Digits of a phone number without ``+``, spaces, punctuation or leading zeros (``00`` prefix,
    trunk ``0``); None when fewer than :data:`MIN_PHONE_DIGITS` digits remain."""
    if not text:
        return None
    digits = re.sub(r"\D", "", text).lstrip("0")
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def phones_match(a: Optional[str], b: Optional[str]) -> bool:
    """True when two phone keys are the same number, with or without the country code.

    ``4155550101`` matches ``14155550101`` and ``7700900123`` matches ``447700900123`` (a national
    number typed without its trunk zero is the tail of the international one).
    """
    if not a or not b:
        return False
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= MIN_PHONE_DIGITS and longer.endswith(shorter) and len(longer) - len(shorter) <= 3


def contact_matches(contact: str, *, emails: list[Optional[str]], phones: list[Optional[str]]) -> bool:
    """Whether ``contact`` (an email or a phone number) is one of the given emails or phone keys."""
    email = normalize_email(contact)
    if email is not None:
        return any(email == normalize_email(e) for e in emails if e)
    key = phone_key(contact)
    return any(phones_match(key, p) for p in phones if p)
