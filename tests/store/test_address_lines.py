"""One-line postal addresses split into street, city, region and postal code (issue #12, dialogue)."""

from __future__ import annotations

from typing import Optional

import pytest

from store.address_lines import AddressLine, parse_address_line


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("350 Fifth Ave, New York, NY 10118", "US", AddressLine("350 Fifth Ave", "New York", "10118", "NY")),
        (
            "12 Elm Street Apt 4, Portland, OR 97201",
            "US",
            AddressLine("12 Elm Street Apt 4", "Portland", "97201", "OR"),
        ),
        (
            "1600 Pennsylvania Ave NW Washington DC 20500",
            "US",
            AddressLine("1600 Pennsylvania Ave NW", "Washington", "20500", "DC"),
        ),
        ("350 Fifth Ave, New York, NY 10118", "", AddressLine("350 Fifth Ave", "New York", "10118", "NY")),
        ("10 Downing Street, London, SW1A 2AA", "GB", AddressLine("10 Downing Street", "London", "SW1A 2AA")),
        ("221B Baker St, London nw1 6xe", "GB", AddressLine("221B Baker St", "London", "NW1 6XE")),
        (
            "100 Queen St W, Toronto, ON M5H 2N2",
            "CA",
            AddressLine("100 Queen St W", "Toronto", "M5H 2N2", "ON"),
        ),
        ("5 rue de Rivoli, 75001 Paris", "FR", AddressLine("5 rue de Rivoli", "Paris", "75001")),
        ("Hauptstrasse 5, 10115 Berlin", "DE", AddressLine("Hauptstrasse 5", "Berlin", "10115")),
        ("Damrak 1, 1012 lg Amsterdam", "NL", AddressLine("Damrak 1", "Amsterdam", "1012 LG")),
        ("Drottninggatan 5, 111 51 Stockholm", "SE", AddressLine("Drottninggatan 5", "Stockholm", "111 51")),
        ("12 Grafton Street, Dublin, d02 x285", "IE", AddressLine("12 Grafton Street", "Dublin", "D02 X285")),
        ("4 George St, Sydney NSW 2000", "AU", AddressLine("4 George St", "Sydney NSW", "2000")),
    ],
)
def test_a_whole_address_is_split(text: str, country: str, expected: AddressLine) -> None:
    assert parse_address_line(text, country) == expected


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("350 Fifth Ave", "US"),  # a street alone: the form asks for the rest
        ("New York, NY", "US"),
        ("10118", "US"),
        ("10 Downing Street, London", "GB"),  # no postal code
        ("Fifth Ave, London, SW1A 2AA", "GB"),  # no house number
        ("the hoodie I ordered is too small", ""),
    ],
)
def test_anything_less_than_a_whole_address_is_none(text: str, country: str) -> None:
    found: Optional[AddressLine] = parse_address_line(text, country)
    assert found is None


def test_the_city_keeps_its_region_for_the_address_form() -> None:
    assert AddressLine("350 Fifth Ave", "New York", "10118", "NY").city_with_region == "New York, NY"
    assert AddressLine("10 Downing Street", "London", "SW1A 2AA").city_with_region == "London"
