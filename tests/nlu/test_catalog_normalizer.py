"""The normaliser: catalog terms reach the count vectors as placeholders, token texts stay."""

from __future__ import annotations

from typing import List

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from storefront.nlu.catalog_normalizer import TOKENS, CatalogTermNormalizer

UNREACHABLE_DB = "postgresql://nobody@127.0.0.1:1/none"


@pytest.fixture()
def tokenizer() -> WhitespaceTokenizer:
    return WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())


@pytest.fixture()
def normalizer(
    store_db_url: str, storage: LocalModelStorage, context: ExecutionContext
) -> CatalogTermNormalizer:
    config = {**CatalogTermNormalizer.get_default_config(), "database_url": store_db_url}
    resource = Resource("catalog_normalizer")
    CatalogTermNormalizer.create(config, storage, resource, context).train(TrainingData())
    loaded_config = {**CatalogTermNormalizer.get_default_config(), "database_url": UNREACHABLE_DB}
    return CatalogTermNormalizer.load(loaded_config, storage, resource, context)


def tokens_of(message: Message) -> List[tuple]:
    return [(t.text, t.lemma) for t in message.get(TOKENS)]


def test_catalog_terms_and_measurements_get_placeholder_lemmas(
    tokenizer: WhitespaceTokenizer, normalizer: CatalogTermNormalizer
) -> None:
    message = Message({TEXT: "is the Fleece Hoodie in XL, I am 180cm"})
    tokenizer.process([message])
    normalizer.process([message])
    assert tokens_of(message) == [
        ("is", "is"),
        ("the", "the"),
        ("Fleece", "__product__"),
        ("Hoodie", "__product__"),
        ("in", "in"),
        ("XL", "__size__"),
        ("I", "I"),
        ("am", "am"),
        ("180cm", "__height__"),
    ]


def test_a_message_without_catalog_terms_is_untouched(
    tokenizer: WhitespaceTokenizer, normalizer: CatalogTermNormalizer
) -> None:
    message = Message({TEXT: "where is my order"})
    tokenizer.process([message])
    normalizer.process([message])
    assert all(text == lemma for text, lemma in tokens_of(message))


def test_count_vectors_learn_the_placeholders_instead_of_the_names(
    tokenizer: WhitespaceTokenizer,
    normalizer: CatalogTermNormalizer,
    storage: LocalModelStorage,
    context: ExecutionContext,
) -> None:
    data = TrainingData(
        [
            Message({TEXT: "do you have the fleece hoodie in navy", INTENT: "product_stock"}),
            Message({TEXT: "any cargo pants", INTENT: "product_search"}),
        ]
    )
    tokenizer.process_training_data(data)
    normalizer.process_training_data(data)
    featurizer = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("cv"), context
    )
    featurizer.train(data)
    vocabulary = featurizer.vectorizers[TEXT].vocabulary_
    assert {"__product__", "__color__", "__category__", "do"} <= set(vocabulary)
    assert not {"fleece", "hoodie", "navy"} & set(vocabulary)


def test_terms_of_the_configured_lookup_tables_get_their_own_placeholder(
    store_db_url: str, storage: LocalModelStorage, context: ExecutionContext, tokenizer: WhitespaceTokenizer
) -> None:
    config = {
        **CatalogTermNormalizer.get_default_config(),
        "database_url": store_db_url,
        "lookup_tables": ["other_shop"],
    }
    lookups = [
        {"name": "other_shop", "elements": ["temu", "john lewis"]},
        {"name": "country", "elements": ["france"]},
    ]
    resource = Resource("with_lookups")
    CatalogTermNormalizer.create(config, storage, resource, context).train(
        TrainingData(lookup_tables=lookups)
    )
    loaded = CatalogTermNormalizer.load(
        {**config, "database_url": UNREACHABLE_DB}, storage, resource, context
    )

    message = Message({TEXT: "my John Lewis order to france, not temuz"})
    tokenizer.process([message])
    loaded.process([message])
    assert tokens_of(message) == [
        ("my", "my"),
        ("John", "__other_shop__"),
        ("Lewis", "__other_shop__"),
        ("order", "order"),
        ("to", "to"),
        ("france", "france"),
        ("not", "not"),
        ("temuz", "temuz"),
    ]


def test_a_lookup_table_missing_from_the_data_is_named(
    store_db_url: str, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    config = {
        **CatalogTermNormalizer.get_default_config(),
        "database_url": store_db_url,
        "lookup_tables": ["other_shop"],
    }
    component = CatalogTermNormalizer.create(config, storage, Resource("missing"), context)
    with pytest.raises(ValueError, match="other_shop"):
        component.train(TrainingData())
