"""Normalising what shoppers type: order numbers, emails and phone numbers."""

from __future__ import annotations

import hmac
import re
from typing import Optional

_ORDER_NUMBER = re.compile(r"^\s*(?:order\s*)?(?:no\.?\s*)?#?\s*0*(\d{1,12})\s*$", re.IGNORECASE)
MIN_PHONE_DIGITS = 7


def parse_order_number(text: str) -> Optional[int]:
    """``"#1001"``, ``"1001"``, ``" 1001 "`` -> 1001; anything else -> None."""
    match = _ORDER_NUMBER.match(text or "")
    return int(match.group(1)) if match else None


def normalize_email(text: Optional[str]) -> Optional[str]:
    """Lower-cased, trimmed email, or None when ``text`` is not an email."""
    if not text:
        return None
    value = text.strip().lower()
    return value if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) else None


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
    shorter, longer = sorted((a or "", b or ""), key=len)
    # compare_digest takes as long for a near miss as for a far one (no early exit on a digit)
    same_tail = hmac.compare_digest(longer[len(longer) - len(shorter) :].encode(), shorter.encode())
    return len(shorter) >= MIN_PHONE_DIGITS and same_tail and len(longer) - len(shorter) <= 3


def contact_matches(contact: str, *, emails: list[Optional[str]], phones: list[Optional[str]]) -> bool:
    """Whether ``contact`` (an email or a phone number) is one of the given emails or phone keys.

    Every candidate is compared, in constant time, whether or not an earlier one matched or is
    missing: how long this takes says nothing about which of an order's contacts exist.
    """
    email = normalize_email(contact)
    if email is not None:
        found = [hmac.compare_digest(email.encode(), (normalize_email(e) or "").encode()) for e in emails]
        return any(found)
    key = phone_key(contact)
    return any([phones_match(key, p) for p in phones])
