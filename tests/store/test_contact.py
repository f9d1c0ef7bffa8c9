"""Table tests for the pure contact parsers: order numbers, emails, phone numbers in E.164."""

from __future__ import annotations

from typing import Optional

import pytest

from store.contact import (
    compact_phone,
    contact_matches,
    e164,
    find_contact,
    find_order_number,
    normalize_email,
    parse_order_number,
    phones_match,
)


@pytest.mark.parametrize(
    "text,number",
    [
        ("#1001", 1001),
        ("1001", 1001),
        (" 1001 ", 1001),
        ("# 1001", 1001),
        ("order 1001", 1001),
        ("Order No. 1001", 1001),
        ("#001001", 1001),
        ("", None),
        ("#", None),
        ("10 01", None),
        ("1001a", None),
        ("#-1001", None),
        ("1234567890123", None),  # 13 digits: longer than any order number
        ("order", None),
    ],
)
def test_order_numbers(text: str, number: Optional[int]) -> None:
    assert parse_order_number(text) == number


@pytest.mark.parametrize(
    "text,email",
    [
        (" Ava.Shopper@Example.COM ", "ava.shopper@example.com"),
        ("a+tag@shop.example.co.uk", "a+tag@shop.example.co.uk"),
        ("ava@example", None),
        ("ava example@x.com", None),
        ("@example.com", None),
        ("", None),
        (None, None),
    ],
)
def test_emails(text: Optional[str], email: Optional[str]) -> None:
    assert normalize_email(text) == email


@pytest.mark.parametrize(
    "text,region,number",
    [
        ("+1 415 555 0101", "US", "+14155550101"),
        ("(415) 555-0101", "US", "+14155550101"),
        ("415.555.0101", "US", "+14155550101"),
        ("1 415 555 0101", "US", "+14155550101"),
        ("011 44 7700 900123", "US", "+447700900123"),  # the US exit code
        ("001 415 555 0101", "US", "+14155550101"),  # the exit code of most other countries
        ("07700 900123", "GB", "+447700900123"),  # trunk zero of a national UK number
        ("+44 (0)7700 900123", "US", "+447700900123"),
        ("15551234567", "US", "+15551234567"),  # WhatsApp's wa_id: international digits, no plus
        ("447700900123", "US", "+447700900123"),  # a foreign wa_id in a US store
        ("447700900123", "GB", "+447700900123"),
        ("+1 415 555 0101", None, "+14155550101"),  # a store without a country: plus needed
        ("415 555 0101", None, None),
        ("55550101", "US", None),  # a suffix is not a number
        ("5550101", "US", None),  # a local number without its area code
        ("0101", "US", None),
        ("12345678901234567", "US", None),
        ("call me", "US", None),
        ("", "US", None),
        (None, "US", None),
    ],
)
def test_phone_numbers_in_e164(text: Optional[str], region: Optional[str], number: Optional[str]) -> None:
    assert e164(text, region) == number


@pytest.mark.parametrize(
    "typed,stored,region,same",
    [
        ("(415) 555-0101", "+1 415 555 0101", "US", True),
        ("+1 415 555 0101", "415-555-0101", "US", True),  # stored without its country code
        ("15551234567", "+1 555 123 4567", "US", True),  # WhatsApp's form
        ("55550101", "+1 415 555 0101", "US", False),  # the last 8 digits
        ("5550101", "+1 415 555 0101", "US", False),  # the last 7 digits
        ("+44 415 555 0101", "415 555 0101", "US", False),  # foreign number, same national digits
        ("+1 415 555 0101", "415 555 0101", "GB", False),  # national number of the store's country
        ("07700 900123", "+44 7700 900123", "GB", True),
        ("07700 900123", "+44 7700 900123", "US", False),  # a US store reads no trunk zero
        ("+1 212 555 0102", "+1 415 555 0101", "US", False),
        ("", "", "US", False),  # two missing numbers are not the same number
        (None, "+1 415 555 0101", "US", False),
    ],
)
def test_phones_match_in_e164(typed: Optional[str], stored: Optional[str], region: str, same: bool) -> None:
    assert phones_match(typed, stored, region=region) is same


@pytest.mark.parametrize(
    "contact,matches",
    [
        ("AVA@example.com", True),
        ("+1 415 555 0101", True),
        ("ben@example.com", False),
        ("55550101", False),
        ("", False),
    ],
)
def test_a_contact_is_an_email_or_a_phone(contact: str, matches: bool) -> None:
    assert (
        contact_matches(contact, emails=["ava@example.com", None], phones=[None, "415 555 0101"], region="US")
        is matches
    )


@pytest.mark.parametrize(
    "text,number",
    [
        ("#1001", 1001),
        ("it's 1001", 1001),
        ("order #1001 please", 1001),
        ("1001 and 1002", 1001),  # the first one
        ("12", 12),  # a whole answer is the number
        ("size 12 please", None),  # inside a sentence, 3 digits at least
        ("no idea", None),
        ("", None),
        (None, None),
        (1001, 1001),  # an entity value may arrive as a number
    ],
)
def test_order_numbers_in_a_message(text: object, number: Optional[int]) -> None:
    assert find_order_number(text) == number


@pytest.mark.parametrize(
    "text,contact",
    [
        ("AVA@Example.com", "ava@example.com"),
        ("it's ava@example.com.", "ava@example.com"),
        ("<ava@example.com>", "ava@example.com"),
        ("+1 (415) 555-0101", "+1 (415) 555-0101"),
        ("call me on 415 555 0101 tomorrow", "415 555 0101"),
        ("0044 20 7946 0958", "0044 20 7946 0958"),
        ("ava1984@", None),  # digits beside an @ are never a phone
        ("555 010", None),  # 7 digits needed
        ("1234567890123456", None),  # longer than E.164 allows
        ("tomorrow", None),
        ("", None),
        (None, None),
    ],
)
def test_contacts_in_a_message(text: object, contact: Optional[str]) -> None:
    assert find_contact(text) == contact


@pytest.mark.parametrize(
    "text,compact",
    [
        ("+1 (555) 123-4567", "+15551234567"),
        ("0044 20 7946 0958", "00442079460958"),
        (" +44 7700", "+447700"),
    ],
)
def test_compact_phone_keeps_the_plus_and_the_digits(text: str, compact: str) -> None:
    assert compact_phone(text) == compact
