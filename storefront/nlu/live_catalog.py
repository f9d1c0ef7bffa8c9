"""Keeps a loaded model's catalog matcher in step with the store, without retraining.

A model carries the catalog as it was at training time. With a live Shopify connection the store's
catalog changes between trainings (a product created, renamed, archived), and each such change
bumps the store's catalog version (:mod:`store.catalog_version`). :class:`LiveCatalog` reads that
number at most once per ``interval`` seconds while messages are parsed (one primary-key look-up)
and, when it moved, rebuilds the matcher from the store in a background thread and swaps it in;
messages meanwhile use the previous matcher, so no message waits for a rebuild. A store that
cannot be read leaves the matcher as it is.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Optional

from storefront.nlu.matcher import CatalogMatcher

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL_SECONDS = 30.0


def store_version_reader(database_url: Optional[str]) -> Callable[[], int]:
    """Reads the store's catalog version (one engine for the process's life)."""
    from store.catalog_version import catalog_version
    from store.db import make_engine, session_scope

    engine = make_engine(database_url)

    def read() -> int:
        with session_scope(engine) as session:
            return catalog_version(session)

    return read


class LiveCatalog:
    """The matcher in use, rebuilt when the store's catalog version moves (see the module docstring)."""

    def __init__(
        self,
        matcher: CatalogMatcher,
        version: int,
        *,
        read_version: Callable[[], int],
        rebuild: Callable[[], CatalogMatcher],
        interval: float = DEFAULT_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._matcher = matcher
        self._version = version
        self._read_version = read_version
        self._rebuild = rebuild
        self._interval = interval
        self._clock = clock
        self._next_check = clock() + interval
        self._worker: Optional[threading.Thread] = None

    @property
    def version(self) -> int:
        """The catalog version the matcher in use was built from."""
        return self._version

    def matcher(self) -> CatalogMatcher:
        """The matcher to use now (starting a rebuild first if the catalog moved)."""
        self.check()
        return self._matcher

    def check(self) -> None:
        """Compare versions if ``interval`` has passed; start a rebuild when the catalog moved."""
        now = self._clock()
        if now < self._next_check or (self._worker is not None and self._worker.is_alive()):
            return
        self._next_check = now + self._interval
        try:
            version = self._read_version()
        except Exception as error:  # a store that is down must not break message parsing
            logger.warning("nlu.catalog_version_unreadable error=%s", error.__class__.__name__)
            return
        if version != self._version:
            self._worker = threading.Thread(
                target=self._swap, args=(version,), name="catalog-refresh", daemon=True
            )
            self._worker.start()

    def wait(self, timeout: float = 60.0) -> None:
        """Wait for a running rebuild to finish (tests, and a clean shutdown)."""
        if self._worker is not None:
            self._worker.join(timeout)

    def _swap(self, version: int) -> None:
        try:
            matcher = self._rebuild()
        except Exception as error:  # keep parsing with the matcher we have
            logger.warning("nlu.catalog_refresh_failed error=%s", error.__class__.__name__)
            return
        self._matcher, self._version = matcher, version
        logger.info("nlu.catalog_refreshed version=%d products=%d", version, len(matcher.terms.products))


__all__ = ["DEFAULT_INTERVAL_SECONDS", "LiveCatalog", "store_version_reader"]
