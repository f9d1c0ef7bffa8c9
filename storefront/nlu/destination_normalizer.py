"""Lets the intent classifier read "how long to reach __destination__" whatever place was named.

``DestinationNormalizer`` runs after the tokenizer and before the count-vector featurizers, like
:class:`~storefront.nlu.catalog_normalizer.CatalogTermNormalizer`: it sets the *lemma* of every
token inside a place found by :class:`store.places.Gazetteer` to ``__destination__``. The training
data names a few dozen countries; shoppers name thousands of cities, states and provinces, and
"when does it land in Lyon" should read like "when does it land in France". Token texts are left
alone, so the entity extractors see what the shopper wrote.

It learns nothing; the gazetteer is built when the model is loaded (store countries plus the
libraries), so zone changes need no retraining::

    - name: WhitespaceTokenizer
    - name: storefront.nlu.destination_normalizer.DestinationNormalizer
    - name: CountVectorsFeaturizer
"""

from __future__ import annotations

from typing import Any, Dict, List, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from store.places import Gazetteer
from storefront.nlu.catalog_normalizer import mark_tokens, placeholder
from storefront.nlu.destination_extractor import read_store_countries

TOKENS = TOKENS_NAMES[TEXT]
PLACEHOLDER = placeholder("destination")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class DestinationNormalizer(GraphComponent):
    """Replaces the lemmas of place names by ``__destination__`` (module docstring)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Options. ``database_url``: the store to read countries from (default: ``DATABASE_URL``)."""
        return {"database_url": None}

    def __init__(self, gazetteer: Gazetteer) -> None:
        """Create the component around a built gazetteer (use :meth:`create`)."""
        self.gazetteer = gazetteer

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DestinationNormalizer:
        """Build the gazetteer from the store as it is now (also what loading the model does)."""
        return cls(Gazetteer(read_store_countries(config.get("database_url"))))

    @classmethod
    def required_components(cls) -> List[Type[GraphComponent]]:
        """Works on the tokenizer's tokens."""
        return [Tokenizer]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalise the training messages the featurizers will learn from."""
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Normalise each message's tokens in place."""
        for message in messages:
            text = message.get(TEXT)
            tokens = message.get(TOKENS)
            if text and tokens:
                mark_tokens(tokens, [(f.start, f.end, PLACEHOLDER) for f in self.gazetteer.find(text)])
        return messages
