"""Normalising what shoppers type: order numbers, emails and phone numbers."""

from __future__ import annotations

import re
from typing import Optional

import phonenumbers
from phonenumbers import PhoneNumberFormat, ValidationResult

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
    trunk ``0``); None when fewer than :data:`MIN_PHONE_DIGITS` digits remain.

    This is the indexed search key (its last digits find candidates quickly), not an identity:
    whether two numbers are the same is :func:`phones_match`'s answer.
    """
    if not text:
        return None
    digits = re.sub(r"\D", "", text).lstrip("0")
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def e164(text: Optional[str], region: Optional[str]) -> Optional[str]:
    """The number in E.164 (``+14155550101``), reading a number without a country code as one of
    ``region`` (the store's ISO country); None when ``text`` is not a possible phone number.

    WhatsApp sends international numbers without the plus (``447700900123``) and much of the world
    dials out with ``00``: digits that are not a possible number of ``region`` are read once more as
    international. Possibility (the right length for the country) is asked rather than validity, so
    new number ranges and made-up test numbers still work.
    """
    if not text or not re.search(r"\d", text):
        return None
    candidates = [text]
    if "+" not in text:
        digits = re.sub(r"\D", "", text)
        candidates.append("+" + (digits[2:] if digits.startswith("00") else digits))
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number_with_reason(number) == ValidationResult.IS_POSSIBLE:
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return None


def phones_match(a: Optional[str], b: Optional[str], *, region: Optional[str]) -> bool:
    """True when ``a`` and ``b`` are the same number in E.164, each read with ``region`` as default.

    ``(415) 555-0101`` matches ``+1 415 555 0101`` in a US store; ``55550101`` (a suffix) matches
    nothing, and ``+44 415 555 0101`` does not match a stored national ``415 555 0101``.
    """
    first = e164(a, region)
    return first is not None and first == e164(b, region)


def contact_matches(
    contact: str, *, emails: list[Optional[str]], phones: list[Optional[str]], region: Optional[str]
) -> bool:
    """Whether ``contact`` (an email or a phone number) is one of ``emails`` or ``phones``.

    ``region`` is the store's country, the default for numbers written without a country code.
    """
    email = normalize_email(contact)
    if email is not None:
        return any(email == normalize_email(e) for e in emails if e)
    return any(phones_match(contact, p, region=region) for p in phones if p)
