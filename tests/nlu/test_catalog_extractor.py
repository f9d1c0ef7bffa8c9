"""The Rasa component: trained from the store, loaded without it, merged with other extractors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from storefront.nlu.catalog_extractor import CatalogEntityExtractor
from storefront.nlu.vocabulary import CatalogTerms, CatalogUnavailableError

# Nothing listens on port 1: a component that tried to reach this database would fail.
UNREACHABLE_DB = "postgresql://nobody@127.0.0.1:1/none"


def config(**overrides: Any) -> Dict[str, Any]:
    return {**CatalogEntityExtractor.get_default_config(), **overrides}


@pytest.fixture()
def loaded(
    store_db_url: str, storage: LocalModelStorage, context: ExecutionContext
) -> CatalogEntityExtractor:
    resource = Resource("catalog_extractor")
    trainer = CatalogEntityExtractor.create(config(database_url=store_db_url), storage, resource, context)
    trainer.train(TrainingData())
    return CatalogEntityExtractor.load(config(database_url=UNREACHABLE_DB), storage, resource, context)


def process(component: CatalogEntityExtractor, text: str, existing: List[Dict[str, Any]] = ()) -> List[Dict]:
    message = Message({TEXT: text, ENTITIES: list(existing)})
    component.process([message])
    return message.get(ENTITIES)


def test_trained_component_answers_without_the_database(loaded: CatalogEntityExtractor) -> None:
    assert process(loaded, "is the Fleece Hoodie in XL") == [
        {
            "entity": "product",
            "start": 7,
            "end": 20,
            "value": "Fleece Hoodie",
            "confidence_entity": 1.0,
            "extractor": "CatalogEntityExtractor",
        },
        {
            "entity": "size",
            "start": 24,
            "end": 26,
            "value": "XL",
            "confidence_entity": 1.0,
            "extractor": "CatalogEntityExtractor",
        },
    ]


def test_measurements_carry_number_and_unit(loaded: CatalogEntityExtractor) -> None:
    (height,) = process(loaded, "5 ft 10")
    assert height["entity"] == "height"
    assert height["value"] == "177.8 cm"
    assert height["additional_info"] == {
        "value": 177.8,
        "unit": "cm",
        "source_value": 5.833,
        "source_unit": "ft",
    }


def test_a_size_replaces_a_country_another_extractor_saw_inside_it(loaded: CatalogEntityExtractor) -> None:
    diet_country = {
        "entity": "country",
        "start": 11,
        "end": 13,
        "value": "United Kingdom",
        "extractor": "DIETClassifier",
    }
    result = process(loaded, "do you have UK 8", [diet_country])
    assert [(e["entity"], e["value"]) for e in result] == [("size", "UK 8")]


def test_an_email_address_is_never_cut_into_colors(loaded: CatalogEntityExtractor) -> None:
    email = {
        "entity": "email",
        "start": 9,
        "end": 27,
        "value": "navy.rose@gmail.com",
        "extractor": "DIETClassifier",
    }
    result = process(loaded, "email is navy.rose@gmail.com", [email])
    assert result == [email]


def test_training_without_a_catalog_names_the_command_that_loads_one(
    tmp_path: Path, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    from store.db import make_engine
    from store.schema import migrate

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    migrate(make_engine(url))
    component = CatalogEntityExtractor.create(config(database_url=url), storage, Resource("x"), context)
    with pytest.raises(CatalogUnavailableError, match="python -m store load-sample"):
        component.train(TrainingData())


def test_fingerprint_follows_the_catalog(tmp_path: Path, store_db_url: str) -> None:
    small = CatalogTerms(products={"Fleece Hoodie": ["fleece hoodie"]})
    bigger = CatalogTerms(products={"Fleece Hoodie": ["fleece hoodie"], "Zip Hoodie": ["zip hoodie"]})
    paths = []
    for name, terms in (("small", small), ("bigger", bigger)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(terms.to_dict()), encoding="utf-8")
        paths.append(str(path))
    addon = CatalogEntityExtractor.fingerprint_addon
    assert addon(config(vocabulary_file=paths[0])) != addon(config(vocabulary_file=paths[1]))
    assert addon(config(database_url=store_db_url)) == addon(config(database_url=store_db_url))
