"""Declarative base and the column types shared by every table."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Optional

from sqlalchemy import BigInteger, Column, DateTime, Integer
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

# typed as Any: SQLAlchemy 1.4 ships no mypy plugin setup here, and the models are plain classes
Base: Any = declarative_base()

CENT = Decimal("0.01")


def money(value: Any) -> Decimal:
    """``value`` as a two-place Decimal (half-up rounding, like a till)."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


class Money(TypeDecorator):
    """A Decimal amount stored as whole cents, exact on SQLite and PostgreSQL alike.

    SQLite has no decimal type; storing cents avoids float rounding and SQLAlchemy's warning.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Optional[Any], dialect: Any) -> Optional[int]:
        if value is None:
            return None
        return int(money(value) * 100)

    def process_result_value(self, value: Optional[int], dialect: Any) -> Optional[Decimal]:
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(CENT)


class UTCDateTime(TypeDecorator):
    """An instant stored as naive UTC and always returned timezone-aware (UTC).

    Naive datetimes are refused on the way in: a time without a zone is a bug waiting to happen.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give it a time zone")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class SchemaVersion(Base):
    """One row per schema version applied by ``python -m store migrate``."""

    __tablename__ = "schema_version"

    version = Column(Integer, primary_key=True, autoincrement=False)
    applied_at = Column(DateTime, nullable=False)
