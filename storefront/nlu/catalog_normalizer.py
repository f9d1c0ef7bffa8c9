"""Lets the intent classifier read "do you have __product__ in __color__" instead of the names.

``CatalogTermNormalizer`` runs after the tokenizer and before the count-vector featurizers. It
finds the catalog's products, categories, colors and sizes and the shopper's measurements with the
same matcher as :class:`~storefront.nlu.catalog_extractor.CatalogEntityExtractor` and sets the
*lemma* of every token inside a match to a placeholder for the entity type (``__product__``,
``__size__``, ``__height__``...). Rasa's ``CountVectorsFeaturizer`` reads token lemmas
(``use_lemma``, on by default), so the classifier learns "asks about a product in a color" rather
than the handful of product names the training data happens to mention, and a product added to the
catalog is understood without new training examples. Token texts are left alone, so entity
extractors (CRF, the catalog extractor) see what the shopper wrote.

Use it in ``config.yml`` straight after the tokenizer::

    - name: WhitespaceTokenizer
    - name: storefront.nlu.catalog_normalizer.CatalogTermNormalizer
    - name: CountVectorsFeaturizer

Chosen by cross-validation on ``data/nlu`` (``scripts/nlu_cv.py``), see ``configs/README.md``.
"""

from __future__ import annotations

from typing import Iterable, List, Type

from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from storefront.nlu.catalog_component import CatalogComponent
from storefront.nlu.matcher import FoundEntity

TOKENS = TOKENS_NAMES[TEXT]


def placeholder(entity: str) -> str:
    """The lemma a token inside an ``entity`` match gets."""
    return f"__{entity}__"


def mark_tokens(tokens: Iterable[Token], found: Iterable[FoundEntity]) -> None:
    """Set the lemma of each token that overlaps a match to the match's placeholder."""
    spans = [(f.start, f.end, placeholder(f.entity)) for f in found]
    for token in tokens:
        for start, end, lemma in spans:
            if token.start < end and start < token.end:
                token.lemma = lemma
                break


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class CatalogTermNormalizer(CatalogComponent):
    """Replaces the lemmas of catalog terms and measurements by placeholders (module docstring)."""

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
                mark_tokens(tokens, self.matcher.find(text))
        return messages
