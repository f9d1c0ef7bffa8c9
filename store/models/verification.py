"""Failed order verifications, counted where a shopper cannot reset them (``store/verification.py``)."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String

from store.models.base import Base, UTCDateTime


class VerificationFailure(Base):
    """One failed order verification, recorded once per thing it guessed at.

    ``kind`` is ``order`` (the order number), ``contact`` (the normalised email or phone digits
    the shopper typed) or ``client`` (``<channel>:<address>`` the channel saw the request come
    from); ``key`` is that value. Rows older than the lock-out window are deleted as new
    failures are recorded.
    """

    __tablename__ = "verification_failures"

    id = Column(Integer, primary_key=True)
    kind = Column(String(10), nullable=False)
    key = Column(String(255), nullable=False)
    at = Column(UTCDateTime, nullable=False, index=True)

    __table_args__ = (Index("ix_verification_failures_kind_key_at", "kind", "key", "at"),)
