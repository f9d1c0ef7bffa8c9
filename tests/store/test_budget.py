"""Price limits read from shopper text (core/budget.py), shared by search and recommendations."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

import pytest

from core.budget import budget_from_text


def limits(text: str) -> Optional[tuple]:
    budget = budget_from_text(text)
    return None if budget is None else (budget.min_price, budget.max_price)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tees under 30", (None, Decimal("30"))),
        ("anything over $100", (Decimal("100"), None)),
        ("at least 20 quid", (Decimal("20"), None)),
        ("no more than 75 dollars", (None, Decimal("75"))),
        ("between 50 and 80", (Decimal("50"), Decimal("80"))),
        ("something $50-80 please", (Decimal("50"), Decimal("80"))),
        ("£40 to £60", (Decimal("40"), Decimal("60"))),
        ("2 shirts for 60 bucks max", (None, Decimal("60"))),
        ("my budget is 120", (None, Decimal("120"))),
        ("budget of $80", (None, Decimal("80"))),
        ("I can spend 60", (None, Decimal("60"))),
        # an approximate amount allows 10% more
        ("a warm jacket for hiking, budget around 200", (None, Decimal("220.00"))),
        ("around $150", (None, Decimal("165.00"))),
        ("a gift about 40 dollars", (None, Decimal("44.00"))),
    ],
)
def test_price_limits(text: str, expected: tuple) -> None:
    assert limits(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "sizes 8-10",
        "boots size 10 to 12",
        "jeans, 32-34 waist",
        "I'm 6ft and 190lbs",
        "order 1002, about 3 weeks ago",
        "it's been around 5 days",
        "ordered 2 to 3 weeks ago",
        "2 shirts",
    ],
)
def test_sizes_times_and_quantities_are_not_prices(text: str) -> None:
    assert limits(text) is None


def test_the_limit_is_cut_out_of_the_search_words() -> None:
    text = "warm jacket around $200 for hiking"
    budget = budget_from_text(text)
    assert budget is not None
    assert text[: budget.start] + text[budget.end :] == "warm jacket  for hiking"
