"""A price limit typed in a message ("under $120", "less than 100 euros", "over 50").

Shared by the catalog search action and the store's recommendation ranker, so that both read a
budget the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from core.text import scan_window

_CURRENCY_WORDS = r"dollars|bucks|quid|pounds|euros|usd|gbp|eur"
_MONEY = r"(?:[$£€]\s*)?(?P<{name}>\d{{1,5}}(?:\.\d{{1,2}})?)(?:\s*(?:" + _CURRENCY_WORDS + r"))?"
_BOUND = re.compile(
    r"\b(?P<dir>under|below|less than|up to|max(?:imum)?|cheaper than|no more than|not more than|at most"
    r"|within|over|above|more than|at least)\s*" + _MONEY.format(name="amount") + r"\b",
    re.IGNORECASE,
)
_RANGE = re.compile(
    r"(?<![\w.])(?:between\s+)?"
    + _MONEY.format(name="low")
    + r"\s*(?:-|\u2013|to|and)\s*"
    + _MONEY.format(name="high")
    + r"\b",
    re.IGNORECASE,
)
_APPROXIMATE = re.compile(
    r"(?:\b(?:around|about|roughly|approximately|approx\.?)|~)\s*" + _MONEY.format(name="amount") + r"\b"
    r"|\b(?:budget(?:\s+(?:is|of))?|spend(?:ing)?)\s*(?:is\s+|of\s+|around\s+|about\s+)?"
    + _MONEY.format(name="budget")
    + r"\b"
    + r"|(?<![\w.])"
    + _MONEY.format(name="trailing")
    + r"\s*(?:max|tops|or less|or under|at most)\b",
    re.IGNORECASE,
)
APPROXIMATE_MARGIN = Decimal("1.10")
"""An approximate amount ("around $200") still shows a $215 jacket: the limit is 10% above it."""
_LOWER_WORDS = ("over", "above", "more than", "at least")


@dataclass(frozen=True)
class Budget:
    """A price limit the shopper typed, and where in the message it was."""

    min_price: Optional[Decimal]
    max_price: Optional[Decimal]
    start: int
    end: int


def budget_from_text(text: str) -> Optional[Budget]:
    """A price limit in ``text``, None without one.

    ``"tees under 30"`` -> max 30; ``"over 100"`` -> min 100; ``"between 50 and 80"`` or
    ``"$50-80"`` -> 50 to 80; ``"around 200"`` or ``"budget is 200"`` -> max 220 (an approximate
    amount, ``APPROXIMATE_MARGIN``); ``"150 max"`` -> max 150.
    """
    window = scan_window(text or "")
    match = _BOUND.search(window)
    if match:
        amount = Decimal(match.group("amount"))
        upper = match.group("dir").lower() not in _LOWER_WORDS
        return Budget(None if upper else amount, amount if upper else None, match.start(), match.end())
    match = _RANGE.search(window)
    if match and _is_money_range(match):
        low, high = sorted((Decimal(match.group("low")), Decimal(match.group("high"))))
        return Budget(low, high, match.start(), match.end())
    match = _APPROXIMATE.search(window)
    if match:
        if match.group("trailing"):
            return Budget(None, Decimal(match.group("trailing")), match.start(), match.end())
        if match.group("amount") and not _has_currency(match.group(0)):
            return None  # "about 3 weeks ago", "around 5 days": not a price without a currency
        amount = Decimal(match.group("amount") or match.group("budget"))
        approximate = re.search(r"around|about|roughly|approx|~", match.group(0), re.IGNORECASE)
        margin = APPROXIMATE_MARGIN if approximate else Decimal(1)
        return Budget(None, (amount * margin).quantize(Decimal("0.01")), match.start(), match.end())
    return None


def without_budget(text: str) -> str:
    """``text`` with its price limit (:func:`budget_from_text`) replaced by a space, if it has one."""
    budget = budget_from_text(text)
    return text if budget is None else text[: budget.start] + " " + text[budget.end :]


def _is_money_range(match: re.Match[str]) -> bool:
    """A range of prices, not sizes ("8-10", "10 to 12"): with "between", a currency sign or word."""
    return match.group(0).lower().startswith("between") or _has_currency(match.group(0))


def _has_currency(found: str) -> bool:
    return any(sign in found for sign in "$£€") or bool(re.search(_CURRENCY_WORDS, found, re.IGNORECASE))
