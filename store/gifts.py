"""What a gift shopper is offered: gift wrap, a gift note, a gift receipt and the return rules for gifts.

Read from the ``gifts`` section of ``store.yaml`` and the return policy's window, so the words
the assistant uses (``domain.yml``) carry the store's own numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.info import setting
from store.models import ReturnPolicy, money

REFUND_KINDS = ("store_credit", "buyer_refund")


@dataclass(frozen=True)
class GiftOptions:
    """The store's gift services and how a recipient returns a gift."""

    gift_note: bool
    gift_note_max_chars: int
    gift_receipt: bool
    recipient_refund: str
    """``store_credit`` (the recipient gets credit) or ``buyer_refund`` (the buyer is refunded)."""
    return_window_days: Optional[int]
    """Days after delivery (the store's return window); None when the store has no return policy."""
    gift_wrap_price: Optional[Decimal] = None
    """What gift wrap costs (0: free); None when the store does not wrap."""


def gift_wrap_price(value: Any) -> Optional[Decimal]:
    """``gifts.gift_wrap`` as a price: false or absent means no gift wrap, true means free.

    Raises:
        ValueError: neither true, false nor an amount.
    """
    if value is None or value is False:
        return None
    if value is True:
        return money(0)
    amount = money(value)
    if amount < 0:
        raise ValueError(f"{value!r} is below zero")
    return amount


def gift_options(session: Session) -> GiftOptions:
    """The store's gift options (defaults: no gift note, no receipt, refund to the buyer)."""
    gifts = setting(session, "gifts", {}) or {}
    policy = session.execute(select(ReturnPolicy).limit(1)).scalar_one_or_none()
    refund = str(gifts.get("recipient_refund", "buyer_refund"))
    return GiftOptions(
        gift_note=bool(gifts.get("gift_note", False)),
        gift_note_max_chars=int(gifts.get("gift_note_max_chars", 0) or 0),
        gift_receipt=bool(gifts.get("gift_receipt", False)),
        recipient_refund=refund if refund in REFUND_KINDS else "buyer_refund",
        return_window_days=policy.window_days if policy is not None else None,
        gift_wrap_price=gift_wrap_price(gifts.get("gift_wrap")),
    )
