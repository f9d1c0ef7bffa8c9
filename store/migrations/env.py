"""Alembic's environment for the store schema, run by :mod:`store.schema` (there is no alembic.ini).

:func:`store.schema.migrate` hands over an open connection in ``config.attributes["connection"]``
and commits or rolls back itself, so this file never builds an engine, reads a URL or commits.
``config.attributes["target_metadata"]`` may replace the models' metadata (a test drafts a
revision for a model change that way without touching the real models).
"""

from __future__ import annotations

from typing import Any, Literal, Union

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.types import TypeDecorator

from store.models import Base


def render_item(kind: str, obj: Any, autogen: AutogenContext) -> Union[str, Literal[False]]:
    """Write our column types (``Money``, ``UTCDateTime``) as the SQL type they store.

    A revision must keep creating the same table after the Python type behind it changes, so it
    names ``sa.BigInteger()``, never ``store.models.base.Money()``.
    """
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=config.attributes.get("target_metadata", Base.metadata),
    # SQLite alters most columns only by copying the table; batch operations do that copy and run
    # as plain ALTERs on PostgreSQL, so one revision serves both.
    render_as_batch=True,
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
