"""Backfill and repair: pull products (with stock), customers and recent orders from Shopify.

Each kind is read page by page with cursor pagination (``pageInfo.endCursor``), converted to the
REST shape and applied with the same upserts the webhooks use, one transaction per page, whose
look-ups are batched (a few ``IN`` queries per page instead of a few queries per row). Running
it again converges to the same database: a version already in the store is written again with the
same values, an older one is skipped, and nothing is deleted. The client paces itself by the
cost-based rate limit (:class:`~integrations.shopify.client.AdminClient`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, Mapping, Optional

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from integrations.shopify import documents
from integrations.shopify.apply import Outcome, apply_customer, apply_order, apply_product
from integrations.shopify.batch import prefetch
from integrations.shopify.client import AdminClient
from integrations.shopify.graphql_shapes import customer_payload, order_payload, product_payload
from store.db import session_scope
from store.importers.progress import SILENT, ImportProgress

DEFAULT_ORDER_DAYS = 60
"""Orders updated in the last 60 days: all Shopify shows without the read_all_orders scope."""


@dataclass(frozen=True)
class _Kind:
    name: str
    document: str
    connection: str
    count_key: str
    to_payload: Callable[[Mapping[str, Any]], Dict[str, Any]]
    apply: Callable[[Session, Mapping[str, Any]], Outcome]


KINDS = (
    _Kind("products", documents.PRODUCTS, "products", "productsCount", product_payload, apply_product),
    _Kind("customers", documents.CUSTOMERS, "customers", "customersCount", customer_payload, apply_customer),
    _Kind("orders", documents.ORDERS, "orders", "ordersCount", order_payload, apply_order),
)


@dataclass
class SyncReport:
    """Per kind, how many resources were applied and how many were older than the store's."""

    outcomes: Dict[str, Counter] = field(default_factory=dict)

    def summary(self) -> str:
        return ", ".join(
            f"{kind}: {counts[Outcome.APPLIED]} applied, {counts[Outcome.STALE]} older than the store's"
            for kind, counts in self.outcomes.items()
        )


def orders_search(now: datetime, days: int) -> str:
    """The orders search for "updated in the last ``days`` days"."""
    return f"updated_at:>={(now - timedelta(days=days)).strftime('%Y-%m-%dT%H:%M:%SZ')}"


def _apply_page(session: Session, *, kind: _Kind, nodes: list) -> Counter:
    """One page in one transaction, its look-ups batched (:mod:`integrations.shopify.batch`)."""
    payloads = [kind.to_payload(node) for node in nodes]
    prefetch(session, kind.name, payloads)
    return Counter(kind.apply(session, payload) for payload in payloads)


async def sync_shop(
    client: AdminClient,
    engine: Engine,
    *,
    now: datetime,
    order_days: int = DEFAULT_ORDER_DAYS,
    page_size: int = documents.PAGE_SIZE,
    progress: ImportProgress = SILENT,
) -> SyncReport:
    """Pull everything the assistant keeps from the shop into the store at ``engine``."""
    search = orders_search(now, order_days)
    counts = await client.query(documents.COUNTS, {"query": search})
    report = SyncReport()
    for kind in KINDS:
        progress.step(f"Shopify {kind.name}", int((counts.get(kind.count_key) or {}).get("count") or 0))
        report.outcomes[kind.name] = Counter()
        after: Optional[str] = None
        while True:
            variables: Dict[str, Any] = {"first": page_size, "after": after}
            if kind is KINDS[-1]:
                variables["query"] = search
            page = (await client.query(kind.document, variables))[kind.connection]
            with session_scope(engine) as session:
                report.outcomes[kind.name] += _apply_page(session, kind=kind, nodes=page["nodes"])
            progress.advance(len(page["nodes"]))
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    return report


__all__ = ["DEFAULT_ORDER_DAYS", "KINDS", "SyncReport", "orders_search", "sync_shop"]
