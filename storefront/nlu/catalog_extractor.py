"""A Rasa 3.6 entity extractor for the store's catalog and the shopper's body measurements.

Use it in ``config.yml`` after the entity extractors it should override (CRF)::

    - name: storefront.nlu.catalog_extractor.CatalogEntityExtractor

It learns nothing from the training data: the catalog is read from the store at training time and
kept in the model (see :mod:`storefront.nlu.catalog_component`), so a new product needs no new
training examples.

Entities: ``product``, ``category``, ``color``, ``size`` (values as the store labels them) and
``height``, ``weight``, ``chest``, ``waist``, ``foot_length`` (value ``"177.8 cm"``/``"70 kg"``,
plus ``additional_info`` with the number, the unit and what the shopper wrote).
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from storefront.nlu.catalog_component import CatalogComponent
from storefront.nlu.matcher import FoundEntity

# Entities from other extractors that lose against a size, measurement or catalog match on the same
# characters: in "UK 8" the "UK" is not a destination, in "size 10" the "10" is not an order number.
_OVERRIDABLE = ("country", "region", "order_number", "postal_code")
# Entities that win against ours: "blue" inside "blue.sky@gmail.com" is not a color.
_PROTECTED = ("email", "phone")


def _overlap(a: Dict[str, Any], start: int, end: int) -> bool:
    return a["start"] < end and start < a["end"]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class CatalogEntityExtractor(CatalogComponent, EntityExtractorMixin):
    """Recognises catalog terms, sizes and measurements; see the module docstring."""

    def process(self, messages: List[Message]) -> List[Message]:
        """Add the entities found in each message, resolving overlaps with other extractors."""
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            existing = list(message.get(ENTITIES, []))
            ours = [
                f
                for f in self.matcher.find(text)
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
