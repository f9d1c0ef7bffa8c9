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

The option ``lookup_tables`` names lookup tables of the training data whose terms are normalised
the same way (``__other_shop__`` for ``other_shop``): "where is my temu order" then reads like
every other shop's order, which is out of scope, while "where is my order" is ours.

Use it in ``config.yml`` straight after the tokenizer::

    - name: WhitespaceTokenizer
    - name: storefront.nlu.catalog_normalizer.CatalogTermNormalizer
    - name: CountVectorsFeaturizer

Chosen by cross-validation on ``data/nlu`` (``scripts/nlu_cv.py``), see ``configs/README.md``.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Pattern, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from storefront.nlu.catalog_component import CatalogComponent
from storefront.nlu.live_catalog import LiveCatalog
from storefront.nlu.matcher import CatalogMatcher
from storefront.nlu.persisted import load_json, save_json

TOKENS = TOKENS_NAMES[TEXT]
LOOKUPS_FILE = "lookup_terms.json"


def placeholder(entity: str) -> str:
    """The lemma a token inside an ``entity`` match gets."""
    return f"__{entity}__"


def lookup_pattern(terms: Iterable[str]) -> Optional[Pattern[str]]:
    """One case-insensitive, whole-word pattern for a lookup table's terms (longest first)."""
    alternatives = sorted({t.strip().lower() for t in terms if t.strip()}, key=len, reverse=True)
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, alternatives)) + r")(?!\w)", re.IGNORECASE)


def mark_tokens(tokens: Iterable[Token], spans: Iterable[tuple]) -> None:
    """Set the lemma of each token that overlaps a ``(start, end, placeholder)`` span."""
    spans = list(spans)
    for token in tokens:
        for start, end, lemma in spans:
            if token.start < end and start < token.end:
                token.lemma = lemma
                break


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class CatalogTermNormalizer(CatalogComponent):
    """Replaces the lemmas of catalog terms and measurements by placeholders (module docstring)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """The catalog options, plus ``lookup_tables``: names of lookup tables to normalise too."""
        return {**CatalogComponent.get_default_config(), "lookup_tables": []}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        matcher: Optional[CatalogMatcher] = None,
        lookups: Optional[Dict[str, List[str]]] = None,
        live: Optional[LiveCatalog] = None,
    ) -> None:
        """Create the component (use :meth:`create` or :meth:`load`)."""
        super().__init__(config, model_storage, resource, matcher, live)
        self._patterns = {name: lookup_pattern(terms) for name, terms in (lookups or {}).items()}

    @classmethod
    def required_components(cls) -> List[Type[GraphComponent]]:
        """Works on the tokenizer's tokens."""
        return [Tokenizer]

    def train(self, training_data: TrainingData) -> Resource:
        """Read the catalog, and the configured lookup tables from the training data."""
        super().train(training_data)
        wanted = set(self._config.get("lookup_tables") or [])
        tables = {t["name"]: list(t["elements"]) for t in training_data.lookup_tables if t["name"] in wanted}
        missing = wanted - set(tables)
        if missing:
            raise ValueError(f"CatalogTermNormalizer: no lookup table named {sorted(missing)} in the data")
        self._patterns = {name: lookup_pattern(terms) for name, terms in tables.items()}
        save_json(self._model_storage, self._resource, LOOKUPS_FILE, tables)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CatalogTermNormalizer:
        """Load the catalog and lookup terms persisted by :meth:`train`."""
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        lookups = load_json(model_storage, resource, LOOKUPS_FILE)
        return cls(config, model_storage, resource, component._matcher, lookups, live=component._live)

    def spans(self, text: str) -> List[tuple]:
        """``(start, end, placeholder)`` of every catalog match and lookup term in ``text``."""
        found: List[tuple] = [(f.start, f.end, placeholder(f.entity)) for f in self.matcher.find(text)]
        for name, pattern in self._patterns.items():
            if pattern is not None:
                found += [(m.start(), m.end(), placeholder(name)) for m in pattern.finditer(text)]
        return found

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
                mark_tokens(tokens, self.spans(text))
        return messages
