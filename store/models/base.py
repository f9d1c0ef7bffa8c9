"""Declarative base and the column types shared by every table."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Optional

from sqlalchemy import BigInteger, DateTime, MetaData
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "%(table_name)s_%(column_0_name)s_key",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}
"""Constraint names, so that a migration can drop or change one by name on any database.

They are PostgreSQL's own default names, which the tables created before the migrations already
carry there (SQLite kept no names then; its batch migrations copy tables by reflection anyway).
"""

# typed as Any: SQLAlchemy 1.4 ships no mypy plugin setup here, and the models are plain classes
Base: Any = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))

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
