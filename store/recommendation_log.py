"""What the product finder showed, per conversation: the store team's view of recommendations."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import RecommendationShown
from store.recommend import Recommendation


def record_shown(
    session: Session, *, conversation_id: str, need: str, shown: Sequence[Recommendation], now: datetime
) -> None:
    """Record each product shown for ``need``, in the order shown (in the caller's transaction)."""
    start = len(shown_in(session, conversation_id))
    for position, rec in enumerate(shown, start=start + 1):
        session.add(
            RecommendationShown(
                conversation_id=conversation_id, need=need[:500], handle=rec.handle, sku=rec.variant_sku,
                price=rec.price, position=position, shown_at=now,
            )
        )  # fmt: skip
    session.flush()


def shown_in(session: Session, conversation_id: str) -> list[RecommendationShown]:
    """Every product shown in the conversation, first shown first."""
    stmt = (
        select(RecommendationShown)
        .where(RecommendationShown.conversation_id == conversation_id)
        .order_by(RecommendationShown.position)
    )
    return list(session.execute(stmt).scalars())
