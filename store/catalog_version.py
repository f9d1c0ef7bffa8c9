"""A number that moves whenever the catalog or its stock changes.

Readers that keep a copy of the catalog (the NLU catalog matcher inside the Rasa server, the
recommender's snapshot in the action server) compare it with the number their copy was built at and
rebuild when it moved; reading it is one primary-key look-up. Live changes (Shopify webhooks and
sync), ``python -m store stock set`` and every import move it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from store.models import StoreSetting

CATALOG_VERSION_KEY = "catalog_version"


def catalog_version(session: Session) -> int:
    """The catalog's current version (0 until the first change or import)."""
    row = session.get(StoreSetting, CATALOG_VERSION_KEY)
    return int(row.value or 0) if row is not None else 0


def bump_catalog_version(session: Session) -> None:
    """Record that products or stock changed (in the caller's transaction)."""
    row = session.get(StoreSetting, CATALOG_VERSION_KEY)
    if row is None:
        session.add(StoreSetting(key=CATALOG_VERSION_KEY, value=1))
        session.flush()
    else:
        row.value = int(row.value or 0) + 1


__all__ = ["CATALOG_VERSION_KEY", "bump_catalog_version", "catalog_version"]
