"""Prices are written one way everywhere (Babel's CLDR data): the page and the assistant agree."""

from __future__ import annotations

from decimal import Decimal

import pytest

from actions.formatting import money, price_range
from store.money import format_money, format_price_range


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("159"), "USD", "$159.00"),
        (Decimal("12.95"), "usd", "$12.95"),
        (Decimal("1234.5"), "USD", "$1,234.50"),
        ("5.9", "CAD", "CA$5.90"),
        (Decimal("20"), "EUR", "€20.00"),
        (Decimal("20"), "GBP", "£20.00"),
        (Decimal("1500"), "JPY", "¥1,500"),  # no minor unit: no decimals
        (Decimal("-3.5"), "USD", "-$3.50"),
    ],
)
def test_format_money(amount: Decimal, currency: str, shown: str) -> None:
    assert format_money(amount, currency) == shown


def test_a_locale_changes_the_writing_not_the_amount() -> None:
    assert format_money(Decimal("1234.5"), "EUR", locale="de_DE") == "1.234,50\xa0€"


def test_a_range_is_one_price_when_both_ends_agree() -> None:
    assert format_price_range(Decimal("59"), Decimal("79"), "USD") == "$59.00 - $79.00"
    assert format_price_range(Decimal("59"), Decimal("59.00"), "USD") == "$59.00"


def test_the_assistant_formats_through_the_store() -> None:
    # actions/formatting.py is the assistant's door to the same function, not a second formatter
    assert money(Decimal("12.95"), "USD") == format_money(Decimal("12.95"), "USD") == "$12.95"
    assert price_range(Decimal("59"), Decimal("79")) == format_price_range(
        Decimal("59"), Decimal("79"), "USD"
    )
