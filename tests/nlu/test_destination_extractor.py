"""The destination extractor: places marked as `country` and `region`, from the store and the libraries."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from storefront.nlu.catalog_extractor import CatalogEntityExtractor
from storefront.nlu.destination_extractor import DestinationEntityExtractor
from storefront.nlu.destination_normalizer import DestinationNormalizer

# Nothing listens on port 1: the component falls back to the libraries alone.
UNREACHABLE_DB = "postgresql://nobody@127.0.0.1:1/none"
NAME = "DestinationEntityExtractor"


def make(
    database_url: str, storage: LocalModelStorage, context: ExecutionContext
) -> DestinationEntityExtractor:
    config = {**DestinationEntityExtractor.get_default_config(), "database_url": database_url}
    return DestinationEntityExtractor.create(config, storage, Resource("destinations"), context)


@pytest.fixture()
def extractor(
    store_db_url: str, storage: LocalModelStorage, context: ExecutionContext
) -> DestinationEntityExtractor:
    return make(store_db_url, storage, context)


def process(component: Any, text: str, existing: Sequence[Dict[str, Any]] = ()) -> List[Dict[str, Any]]:
    message = Message({TEXT: text, ENTITIES: list(existing)})
    component.process([message])
    return message.get(ENTITIES)


def place(entity: str, start: int, end: int, value: str, name: str, kind: str, code: str) -> Dict[str, Any]:
    return {
        "entity": entity, "start": start, "end": end, "value": value, "confidence_entity": 1.0,
        "additional_info": {"place": name, "kind": kind, "country_code": code}, "extractor": NAME,
    }  # fmt: skip


def test_a_city_is_its_country_and_province(extractor: DestinationEntityExtractor) -> None:
    assert process(extractor, "how long would it take to reach Vancouver") == [
        place("country", 32, 41, "Canada", "Vancouver", "city", "CA"),
        place("region", 32, 41, "BC", "Vancouver", "city", "CA"),
    ]


def test_a_state_and_a_country_inside_a_sentence(extractor: DestinationEntityExtractor) -> None:
    assert process(extractor, "do you send parcels to Ohio or to the uk?") == [
        place("country", 23, 27, "United States", "Ohio", "region", "US"),
        place("region", 23, 27, "OH", "Ohio", "region", "US"),
        place("country", 38, 40, "United Kingdom", "UK", "country", "GB"),
    ]


def test_the_learned_country_on_the_same_words_is_replaced_and_others_are_kept(
    extractor: DestinationEntityExtractor,
) -> None:
    learned = {
        "entity": "country",
        "start": 18,
        "end": 22,
        "value": "lyon",
        "extractor": "CRFEntityExtractor",
    }
    email = {"entity": "email", "start": 0, "end": 7, "value": "a@b.co", "extractor": "CRFEntityExtractor"}
    assert process(extractor, "a@b.co when in in Lyon", [email, learned]) == [
        email,
        place("country", 18, 22, "France", "Lyon", "city", "FR"),
    ]


@pytest.mark.parametrize("text", ["Nice shirt!", "Reading glasses please", "is this on sale", "8 oz bottle"])
def test_everyday_words_are_not_destinations(extractor: DestinationEntityExtractor, text: str) -> None:
    assert process(extractor, text) == []


def test_without_the_store_the_libraries_still_know_countries_and_cities(
    storage: LocalModelStorage, context: ExecutionContext
) -> None:
    component = make(UNREACHABLE_DB, storage, context)
    assert [e["value"] for e in process(component, "shipping to Calgary")] == ["Canada", "AB"]
    assert process(component, "ship to Oz") == []  # the store's alias for Australia


def test_the_catalog_overrides_a_destination_on_a_size(
    extractor: DestinationEntityExtractor,
    store_db_url: str,
    storage: LocalModelStorage,
    context: ExecutionContext,
) -> None:
    """In "UK 8" the "UK" is a size system, not the United Kingdom."""
    config = {**CatalogEntityExtractor.get_default_config(), "database_url": store_db_url}
    catalog = CatalogEntityExtractor.create(config, storage, Resource("catalog"), context)
    catalog.train(TrainingData())
    entities = process(catalog, "do you have it in UK 8", process(extractor, "do you have it in UK 8"))
    assert [(e["entity"], e["value"]) for e in entities] == [("size", "UK 8")]


def test_the_normalizer_shows_the_classifier_a_placeholder_for_any_place(
    store_db_url: str, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    config = {**DestinationNormalizer.get_default_config(), "database_url": store_db_url}
    normalizer = DestinationNormalizer.create(config, storage, Resource("normalizer"), context)
    message = Message({TEXT: "when does it land in Lyon or New Jersey"})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    normalizer.process([message])
    lemmas = [t.lemma for t in message.get(TOKENS_NAMES[TEXT])]
    assert lemmas[-4:] == ["__destination__", "or", "__destination__", "__destination__"]
