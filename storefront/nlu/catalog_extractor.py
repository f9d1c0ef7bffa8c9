"""A Rasa 3.6 entity extractor for the store's catalog and the shopper's body measurements.

Use it in ``config.yml`` after the DIET classifier::

    - name: storefront.nlu.catalog_extractor.CatalogEntityExtractor

At training time it reads the catalog vocabulary from the store database (``DATABASE_URL``, or the
``database_url`` option) and stores it, with a small lemma table, inside the model; at inference it
needs no database. The catalog's fingerprint is part of the model fingerprint, so ``rasa train``
retrains this component (and only this one) after a catalog change.

Entities: ``product``, ``category``, ``color``, ``size`` (values as the store labels them) and
``height``, ``weight``, ``chest``, ``waist``, ``foot_length`` (value ``"177.8 cm"``/``"70 kg"``,
plus ``additional_info`` with the number, the unit and what the shopper wrote).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from storefront.nlu.matcher import CatalogMatcher, FoundEntity
from storefront.nlu.vocabulary import CatalogTerms, load_catalog_terms

logger = logging.getLogger(__name__)

VOCABULARY_FILE = "catalog_vocabulary.json"
# Entities from other extractors that lose against a size, measurement or catalog match on the same
# characters: in "UK 8" the "UK" is not a destination, in "size 10" the "10" is not an order number.
_OVERRIDABLE = ("country", "order_number", "postal_code")
# Entities that win against ours: "blue" inside "blue.sky@gmail.com" is not a color.
_PROTECTED = ("email", "phone")


def _overlap(a: Dict[str, Any], start: int, end: int) -> bool:
    return a["start"] < end and start < a["end"]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class CatalogEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Recognises catalog terms, sizes and measurements; see the module docstring."""

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
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CatalogEntityExtractor:
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
            "Catalog extractor trained on %d products, %d categories, %d colors, %d sizes.",
            len(terms.products),
            len(terms.categories),
            len(terms.colors),
            len(terms.sizes),
        )
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CatalogEntityExtractor:
        """Load the vocabulary persisted by :meth:`train` (no database access)."""
        with model_storage.read_from(resource) as directory:
            payload = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        matcher = CatalogMatcher(CatalogTerms.from_dict(payload["terms"]), payload["lemma_map"])
        return cls(config, model_storage, resource, matcher)

    def process(self, messages: List[Message]) -> List[Message]:
        """Add the entities found in each message, resolving overlaps with other extractors."""
        if self._matcher is None:
            raise RuntimeError("CatalogEntityExtractor was used before it was trained or loaded")
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            existing = list(message.get(ENTITIES, []))
            ours = [
                f
                for f in self._matcher.find(text)
                if not any(e.get("entity") in _PROTECTED and _overlap(e, f.start, f.end) for e in existing)
            ]
            kept = [
                e
                for e in existing
                if not (e.get("entity") in _OVERRIDABLE and any(_overlap(e, f.start, f.end) for f in ours))
            ]
            new = self.add_extractor_name([self._entity(f) for f in ours])
            message.set(ENTITIES, kept + new, add_to_output=True)
        return messages

    @staticmethod
    def _entity(found: FoundEntity) -> Dict[str, Any]:
        entity: Dict[str, Any] = {
            "entity": found.entity,
            "start": found.start,
            "end": found.end,
            "value": found.value,
            "confidence_entity": 1.0,
        }
        if found.additional_info is not None:
            entity["additional_info"] = found.additional_info
        return entity
