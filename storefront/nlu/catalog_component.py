"""What the catalog-backed NLU components share: the catalog, read once at training time.

Both :class:`~storefront.nlu.catalog_extractor.CatalogEntityExtractor` and
:class:`~storefront.nlu.catalog_normalizer.CatalogTermNormalizer` match the store's catalog with
:class:`~storefront.nlu.matcher.CatalogMatcher`. At training time they read the catalog vocabulary
from the store database (``DATABASE_URL``, or the ``database_url`` option) and store it, with the
small lemma table the matcher needs, inside the model; at inference they need no database. The
catalog's fingerprint is part of each component's fingerprint, so ``rasa train`` retrains them
(and only them, and what depends on them) after a catalog change.

Between trainings, a loaded model follows live catalog changes (a connected Shopify store) through
:class:`~storefront.nlu.live_catalog.LiveCatalog`: the model records the store's catalog version it
was trained at, and the matcher is rebuilt from the store when that version moves
(``catalog_refresh_seconds``: how often to look, 0 never).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, Optional, Type, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData

from storefront.nlu.live_catalog import DEFAULT_INTERVAL_SECONDS, LiveCatalog, store_version_reader
from storefront.nlu.matcher import CatalogMatcher
from storefront.nlu.persisted import load_json, save_json
from storefront.nlu.vocabulary import CatalogTerms, load_catalog_terms

logger = logging.getLogger(__name__)

VOCABULARY_FILE = "catalog_vocabulary.json"

C = TypeVar("C", bound="CatalogComponent")


class CatalogComponent(GraphComponent):
    """A graph component that owns a :class:`CatalogMatcher` (see the module docstring)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Options.

        ``database_url``: the store to read the catalog from (default: ``DATABASE_URL``).
        ``vocabulary_file``: a JSON :class:`CatalogTerms` to use instead of the store (for
        development without a store; the store is the source of truth).
        ``catalog_refresh_seconds``: how often a loaded model checks the store's catalog version
        and rebuilds its matcher when it moved (0: never; a vocabulary file never does).
        """
        return {
            "database_url": None,
            "vocabulary_file": None,
            "catalog_refresh_seconds": DEFAULT_INTERVAL_SECONDS,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        matcher: Optional[CatalogMatcher] = None,
        live: Optional[LiveCatalog] = None,
    ) -> None:
        """Create the component (use :meth:`create` or :meth:`load`)."""
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._matcher = matcher
        self._live = live

    @classmethod
    def create(
        cls: Type[C],
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> C:
        """Create an untrained component."""
        return cls(config, model_storage, resource)

    @staticmethod
    def _read_terms(config: Dict[str, Any]) -> CatalogTerms:
        if config.get("vocabulary_file"):
            with open(config["vocabulary_file"], encoding="utf-8") as handle:
                return CatalogTerms.from_dict(json.load(handle))
        return load_catalog_terms(config.get("database_url"))

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The catalog's fingerprint, so that a catalog change retrains this component."""
        return cls._read_terms(config).fingerprint()

    def train(self, training_data: TrainingData) -> Resource:
        """Read the catalog and persist it with the lemma table the matcher needs.

        Raises:
            CatalogUnavailableError: the store has no catalog (load it with
                ``python -m store load-sample``).
        """
        terms = self._read_terms(self._config)
        self._matcher = CatalogMatcher(terms)
        payload = {
            "terms": terms.to_dict(),
            "lemma_map": self._matcher.lemma_map,
            "catalog_version": self._store_version(self._config),
        }
        save_json(self._model_storage, self._resource, VOCABULARY_FILE, payload)
        logger.info(
            "%s trained on %d products, %d categories, %d colors, %d sizes.",
            type(self).__name__,
            len(terms.products),
            len(terms.categories),
            len(terms.colors),
            len(terms.sizes),
        )
        return self._resource

    @classmethod
    def load(
        cls: Type[C],
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> C:
        """Load the vocabulary persisted by :meth:`train` (no database access)."""
        payload = load_json(model_storage, resource, VOCABULARY_FILE)
        matcher = CatalogMatcher(CatalogTerms.from_dict(payload["terms"]), payload["lemma_map"])
        return cls(config, model_storage, resource, matcher, live=cls._live_catalog(config, matcher, payload))

    @staticmethod
    def _store_version(config: Dict[str, Any]) -> Optional[int]:
        """The store's catalog version now (None: trained from a vocabulary file)."""
        if config.get("vocabulary_file"):
            return None
        return store_version_reader(config.get("database_url"))()

    @classmethod
    def _live_catalog(
        cls, config: Dict[str, Any], matcher: CatalogMatcher, payload: Dict[str, Any]
    ) -> Optional[LiveCatalog]:
        """Follow the store's catalog (None: a vocabulary file, refresh off, or an older model)."""
        interval = float(config.get("catalog_refresh_seconds") or 0)
        version = payload.get("catalog_version")
        if config.get("vocabulary_file") or interval <= 0 or version is None:
            return None
        return LiveCatalog(
            matcher,
            int(version),
            read_version=store_version_reader(config.get("database_url")),
            rebuild=lambda: CatalogMatcher(cls._read_terms(config)),
            interval=interval,
        )

    @property
    def matcher(self) -> CatalogMatcher:
        """The trained or loaded matcher (rebuilt from the store after a live catalog change)."""
        if self._live is not None:
            return self._live.matcher()
        if self._matcher is None:
            raise RuntimeError(f"{type(self).__name__} was used before it was trained or loaded")
        return self._matcher
