"""Money as shoppers read it: one formatter for the storefront page, its API and the assistant.

Every price a shopper sees (the product page, the cart, a reply in the chat or on WhatsApp) goes
through :func:`format_money`, so the page and the assistant always agree ("$159.00" on both).
Babel's CLDR data does the work: symbol, its position, grouping and the currency's own number of
decimals (``JPY`` has none).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Union

from babel.numbers import format_currency

#: the locale prices are written in (CLDR's English; a store for another market changes it here)
DISPLAY_LOCALE = "en_US"

Amount = Union[Decimal, int, str]


def format_money(amount: Amount, currency: str, *, locale: str = DISPLAY_LOCALE) -> str:
    """``(Decimal("1234.5"), "USD")`` -> ``"$1,234.50"``; ``"CAD"`` -> ``"CA$1,234.50"``.

    Args:
        amount: the amount in the currency's major unit (a ``Decimal``, or its string).
        currency: the ISO 4217 code (case-insensitive).
        locale: the CLDR locale to write it in.
    """
    return format_currency(Decimal(amount), currency.upper(), locale=locale)


def format_price_range(low: Amount, high: Amount, currency: str, *, locale: str = DISPLAY_LOCALE) -> str:
    """``(59, 79, "USD")`` -> ``"$59.00 - $79.00"``; one price when every variant costs the same."""
    if Decimal(low) == Decimal(high):
        return format_money(low, currency, locale=locale)
    return f"{format_money(low, currency, locale=locale)} - {format_money(high, currency, locale=locale)}"
