"""What can still be done to a verified order: the same checks the assistant's changes run.

For the agent console's order panel: whether the order can still be cancelled or sent elsewhere
(the refusal :func:`store.orders.order_to_change` gives, without locking anything), and which
items can be returned and why not (:func:`store.returns.return_eligibility`). The changes
themselves are the store's own functions; nothing here decides a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy.orm import Session

from core import clock
from store.codes import OrderChangeRefusal
from store.orders import OrderChangeResult, OrderView, order_change_view, order_to_change
from store.returns import RESOLUTIONS, ItemEligibility, return_eligibility, return_policy


@dataclass(frozen=True)
class OrderOptions:
    """A verified order and what may be done to it (``change_refusal`` None: cancel or re-address)."""

    order: OrderView
    change_refusal: Optional[OrderChangeRefusal]
    returnable: tuple[ItemEligibility, ...]
    return_reasons: tuple[str, ...]
    resolutions: tuple[str, ...]


def order_options(
    session: Session, *, order_number: str, contact: str, now: Optional[datetime] = None
) -> Optional[OrderOptions]:
    """The options for the order ``order_number`` owned by ``contact`` (None when it is not theirs)."""
    current = now or clock.now()
    checked = order_to_change(session, order_number=order_number, contact=contact, now=current, lock=False)
    if isinstance(checked, OrderChangeResult):
        if checked.order is None:
            return None
        view, refusal = checked.order, checked.reason
    else:
        view, refusal = order_change_view(session, checked, current), None
    policy = return_policy(session)
    eligibility = return_eligibility(session, order_number=order_number, contact=contact, now=current) or []
    return OrderOptions(
        order=view,
        change_refusal=refusal,
        returnable=tuple(eligibility),
        return_reasons=policy.reasons,
        resolutions=tuple(r for r in RESOLUTIONS if r != "exchange" or policy.exchanges_allowed),
    )
