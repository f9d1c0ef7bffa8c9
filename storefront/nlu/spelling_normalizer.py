"""Lets the intent classifier read "pls cancel my ordr" like "please cancel my order".

``SpellingNormalizer`` runs after the tokenizer and before the other normalisers and the
count-vector featurizers. It sets the *lemma* of every token whose lowercased text is a known
variant to the word's canonical spelling: British and American forms ("colour" and "color"),
shoppers' common typos ("recieve", "adress") and texting abbreviations ("pls", "u", "ur"). Rasa's
``CountVectorsFeaturizer`` reads lemmas, so a variant shares its features with the canonical word
the training data mostly uses; token texts are left alone, so the entity extractors see what the
shopper wrote. The catalog and destination normalisers run after it and overwrite the lemmas of
their matches with placeholders.

The variants are a small data file the designers edit (``data/spelling/variants.yml``, option
``variants_file``): each canonical word with the variants that mean it. The file is read at
training time and kept in the model, and its content is part of the component's fingerprint, so
``rasa train`` retrains after an edit and the server needs no file::

    - name: WhitespaceTokenizer
    - name: storefront.nlu.spelling_normalizer.SpellingNormalizer
      variants_file: data/spelling/variants.yml
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import read_yaml_file

from storefront.nlu.persisted import load_json, save_json

TOKENS = TOKENS_NAMES[TEXT]
SPELLINGS_FILE = "spellings.json"
DEFAULT_VARIANTS_FILE = "data/spelling/variants.yml"


def read_variants(path: str | Path) -> Dict[str, str]:
    """The ``{variant: canonical}`` table of a variants file (``spellings: {canonical: [variants]}``).

    Raises:
        ValueError: a variant is listed under two canonical words, or a file without ``spellings``.
    """
    content = read_yaml_file(str(path)) or {}
    if not isinstance(content, dict) or not isinstance(content.get("spellings"), dict):
        raise ValueError(f"{path}: expected a mapping `spellings: {{canonical: [variants]}}`")
    table: Dict[str, str] = {}
    for canonical, variants in content["spellings"].items():
        for variant in variants or []:
            key = str(variant).strip().lower()
            if table.get(key, canonical) != canonical:
                raise ValueError(f"{path}: {key!r} is listed under {table[key]!r} and {canonical!r}")
            table[key] = str(canonical).strip().lower()
    return table


def normalise_tokens(tokens: Iterable[Token], table: Mapping[str, str]) -> None:
    """Set the lemma of each token that is a known variant to its canonical word."""
    for token in tokens:
        canonical = table.get(token.text.lower())
        if canonical is not None:
            token.lemma = canonical


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SpellingNormalizer(GraphComponent):
    """Replaces the lemmas of spelling variants by the canonical word (module docstring)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Options. ``variants_file``: the designers' table of variants (relative to the project)."""
        return {"variants_file": DEFAULT_VARIANTS_FILE}

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        config: Dict[str, Any],
        table: Optional[Dict[str, str]] = None,
    ) -> None:
        """Create the component (use :meth:`create` or :meth:`load`)."""
        self._model_storage = model_storage
        self._resource = resource
        self._config = config
        self.table = table or {}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpellingNormalizer:
        """Create an untrained component."""
        return cls(model_storage, resource, config)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The variants file's content, so that editing it retrains this component."""
        path = Path(config.get("variants_file") or DEFAULT_VARIANTS_FILE)
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None

    @classmethod
    def required_components(cls) -> List[Type[GraphComponent]]:
        """Works on the tokenizer's tokens."""
        return [Tokenizer]

    def train(self, training_data: TrainingData) -> Resource:
        """Read the variants file and keep its table in the model."""
        self.table = read_variants(self._config.get("variants_file") or DEFAULT_VARIANTS_FILE)
        save_json(self._model_storage, self._resource, SPELLINGS_FILE, self.table)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SpellingNormalizer:
        """Load the table kept by :meth:`train` (the variants file is not read again)."""
        table = load_json(model_storage, resource, SPELLINGS_FILE)
        return cls(model_storage, resource, config, table)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalise the training messages the featurizers will learn from."""
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Normalise each message's tokens in place."""
        for message in messages:
            tokens = message.get(TOKENS)
            if tokens:
                normalise_tokens(tokens, self.table)
        return messages
