"""What the catalog-backed NLU components share: the catalog, read once at training time.

Both :class:`~storefront.nlu.catalog_extractor.CatalogEntityExtractor` and
:class:`~storefront.nlu.catalog_normalizer.CatalogTermNormalizer` match the store's catalog with
:class:`~storefront.nlu.matcher.CatalogMatcher`. At training time they read the catalog vocabulary
from the store database (``DATABASE_URL``, or the ``database_url`` option) and store it, with the
small lemma table the matcher needs, inside the model; at inference they need no database. The
catalog's fingerprint is part of each component's fingerprint, so ``rasa train`` retrains them
(and only them, and what depends on them) after a catalog change.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, Optional, Type, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData

from storefront.nlu.matcher import CatalogMatcher
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
        """
        return {"database_url": None, "vocabulary_file": None}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        matcher: Optional[CatalogMatcher] = None,
    ) -> None:
        """Create the component (use :meth:`create` or :meth:`load`)."""
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._matcher = matcher

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
        with self._model_storage.write_to(self._resource) as directory:
            payload = {"terms": terms.to_dict(), "lemma_map": self._matcher.lemma_map}
            (directory / VOCABULARY_FILE).write_text(
                json.dumps(payload, ensure_ascii=False), encoding="utf-8"
            )
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
        with model_storage.read_from(resource) as directory:
            payload = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        matcher = CatalogMatcher(CatalogTerms.from_dict(payload["terms"]), payload["lemma_map"])
        return cls(config, model_storage, resource, matcher)

    @property
    def matcher(self) -> CatalogMatcher:
        """The trained or loaded matcher."""
        if self._matcher is None:
            raise RuntimeError(f"{type(self).__name__} was used before it was trained or loaded")
        return self._matcher
