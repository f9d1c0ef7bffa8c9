"""Replace the store's data with a set of exports and policy files, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from core import clock
from store.catalog_version import CATALOG_VERSION_KEY, catalog_version
from store.consent import seed_from_customers
from store.db import session_scope
from store.importers.customers import import_customers
from store.importers.errors import StoreImportError
from store.importers.fulfillments import import_fulfillments
from store.importers.orders import import_orders
from store.importers.policies import load_policies
from store.importers.products import import_products
from store.importers.progress import SILENT, ImportProgress
from store.importers.returns import import_returns
from store.info import DEMO_MODE_KEY
from store.models import (
    Agent,
    Base,
    ChannelContact,
    ConsentRecord,
    Handoff,
    HandoffMessage,
    OutboxMessage,
    RecommendationShown,
    ReturnPolicy,
    StoreSetting,
)
from store.schema import migrate

KEEP = {
    ConsentRecord.__tablename__,
    OutboxMessage.__tablename__,
    ChannelContact.__tablename__,
    Handoff.__tablename__,
    HandoffMessage.__tablename__,
    Agent.__tablename__,
    RecommendationShown.__tablename__,
}
"""Tables an import leaves alone: what shoppers agreed to and were sent (the consent ledger and the
outbox: a re-import must never undo a STOP), conversations handed to people, the people's console
accounts, and what shoppers were shown (insights)."""


@dataclass(frozen=True)
class StoreFiles:
    """Where a store's exports and policies are (``None``: that part is not imported)."""

    products: Path
    policies: Path
    orders: Optional[Path] = None
    customers: Optional[Path] = None
    fulfillments: Optional[Path] = None
    returns: Optional[Path] = None


def import_store(
    engine: Engine, files: StoreFiles, *, today: date, progress: ImportProgress = SILENT, demo: bool = False
) -> dict[str, int]:
    """Bring the schema to the newest revision, clear the store's data and import ``files``.

    The data goes in one transaction, all or nothing; handoffs and agent accounts are kept. The
    catalog version moves past the one before the import, so caches of the old catalog are dropped.

    ``demo`` records that this is the sample store (:func:`store.info.demo_mode`), which turns on
    the demo page's "sign in as a demo customer"; any other import records that it is not, whatever
    the imported ``store.yaml`` says.

    Returns:
        Row counts per table after the import.

    Raises:
        StoreImportError: the first bad file or row; the database is left as it was.
    """
    migrate(engine)
    with session_scope(engine) as session:
        version = catalog_version(session)
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEEP:
                session.execute(delete(table))
        progress.step(f"policies from {files.policies}")
        load_policies(session, files.policies, today=today)
        session.merge(StoreSetting(key=DEMO_MODE_KEY, value=demo))
        session.merge(StoreSetting(key=CATALOG_VERSION_KEY, value=version + 1))
        policy = session.execute(select(ReturnPolicy)).scalar_one()
        import_products(
            session,
            files.products,
            final_sale_tags=tuple(policy.final_sale_tags),
            final_sale_categories=tuple(policy.final_sale_categories),
            progress=progress,
        )
        steps = (
            (files.customers, import_customers),
            (files.orders, import_orders),
            (files.fulfillments, import_fulfillments),
            (files.returns, import_returns),
        )
        for path, importer in steps:
            if path is not None:
                try:
                    importer(session, path, progress)
                except IntegrityError as exc:
                    raise StoreImportError(
                        Path(path).name, f"conflicting rows: {str(exc.orig).splitlines()[0]}"
                    ) from None
        seed_from_customers(session, now=clock.now())
        progress.step("saving")
    return table_counts(engine)


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows per store table."""
    with session_scope(engine) as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }
