"""Reading what shoppers type: order numbers, emails and phone numbers (the one contact parser)."""

from __future__ import annotations

import hmac
import re
from typing import Optional

import phonenumbers
from phonenumbers import PhoneNumberFormat, ValidationResult

from core.text import scan_window

# Linear-time patterns (see core/text.py): bounded quantifiers, whole-answer patterns only on a
# short stripped answer, and emails looked for token by token. The email pattern this replaces
# ([^@\s<>()]+@...) rescanned the rest of the message from every position, so a 40,000-character
# message blocked the action server for seconds; "order\s*" beside "#?\s*" was quadratic too.
_ORDER_NUMBER = re.compile(r"(?:order\s{0,3})?(?:no\.?\s{0,3})?#?\s{0,3}0{0,20}(\d{1,12})", re.IGNORECASE)
MAX_ORDER_NUMBER_CHARS = 48  # "order no. # 000123456789012" with room to spare
_ORDER_NUMBER_IN_TEXT = re.compile(r"\d{3,12}")
_TOKEN_BREAKS = re.compile(r"[\s<>()]+")
_EMAIL_IN_TEXT = re.compile(r"[^@]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,63}")
MAX_EMAIL_CHARS = 254
_PHONE_IN_TEXT = re.compile(r"\+?\(?\d[\d\s().\-]{5,30}\d")
MIN_PHONE_DIGITS = 7
MAX_PHONE_DIGITS = 15  # E.164's limit


def parse_order_number(text: str) -> Optional[int]:
    """``"#1001"``, ``"1001"``, ``" 1001 "`` -> 1001; anything else -> None."""
    value = (text or "").strip()
    if len(value) > MAX_ORDER_NUMBER_CHARS:
        return None
    match = _ORDER_NUMBER.fullmatch(value)
    return int(match.group(1)) if match else None


def find_order_number(text: object) -> Optional[int]:
    """The order number in a message: a whole ``"#1001"``-style answer, else the first run of 3 to
    12 digits (``"it's 1001"``); None when there is none."""
    value = scan_window(str(text or ""))
    number = parse_order_number(value)
    if number is None:
        match = _ORDER_NUMBER_IN_TEXT.search(value)
        number = parse_order_number(match.group(0)) if match else None
    return number


def _find_email(text: str) -> Optional[str]:
    """The first email address in ``text``: a token (between spaces and ``<>()``) that starts with one."""
    for token in _TOKEN_BREAKS.split(text):
        if "@" in token and len(token) <= MAX_EMAIL_CHARS:
            match = _EMAIL_IN_TEXT.match(token)
            if match:
                return match.group(0)
    return None


def find_contact(text: object) -> Optional[str]:
    """The email address (normalised) or phone number (as typed) in a message, else None.

    An email wins over digits next to it; a phone number needs 7 to 15 digits and a message
    without ``@`` (so the digits of ``ava1984@example`` are never read as a phone).
    """
    value = scan_window(str(text or "")).strip()
    email = _find_email(value)
    if email:
        return normalize_email(email.rstrip("."))
    phone = _PHONE_IN_TEXT.search(value)
    if phone and "@" not in value:
        digits = re.sub(r"\D", "", phone.group(0))
        if MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
            return phone.group(0).strip()
    return None


def compact_phone(text: str) -> str:
    """A phone number as its digits, keeping a leading ``+`` (``+1 (555) 123-4567`` -> ``+15551234567``)."""
    return ("+" if text.strip().startswith("+") else "") + re.sub(r"\D", "", text)


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
    Every candidate is compared, in constant time, whether or not an earlier one matched or is
    missing: how long this takes says nothing about which of an order's contacts exist.
    """
    email = normalize_email(contact)
    if email is not None:
        found = [hmac.compare_digest(email.encode(), (normalize_email(e) or "").encode()) for e in emails]
        return any(found)
    wanted = e164(contact, region) or ""
    found = [hmac.compare_digest(wanted.encode(), (e164(p, region) or "").encode()) for p in phones]
    return bool(wanted) and any(found)
