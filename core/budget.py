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

_BUDGET = re.compile(
    r"\b(?P<dir>under|below|less than|up to|max(?:imum)?|cheaper than|no more than|over|above|more than)"
    r"\s*(?:[$£€]\s*)?(?P<amount>\d{1,5}(?:\.\d{1,2})?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Budget:
    """A price limit the shopper typed, and where in the message it was."""

    min_price: Optional[Decimal]
    max_price: Optional[Decimal]
    start: int
    end: int


def budget_from_text(text: str) -> Optional[Budget]:
    """``"tees under 30"`` -> max 30; ``"over 100"`` -> min 100; None without a price limit."""
    match = _BUDGET.search(scan_window(text or ""))
    if not match:
        return None
    amount = Decimal(match.group("amount"))
    upper = match.group("dir").lower() not in ("over", "above", "more than")
    return Budget(None if upper else amount, amount if upper else None, match.start(), match.end())
