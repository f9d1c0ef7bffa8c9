"""Tells gibberish from an off-topic request by the words the model was trained on.

A message none of whose words occurs in the training examples of the in-scope intents (or in
the lookup tables and synonyms) is not a question the classifier misread: it is noise
("asdfjkl", "qwpo zzk"). Out-of-scope examples are left out on purpose, since they include
gibberish so that the classifier does not call it a request. Words of one letter prove nothing
("a sdfkj") and are ignored.

The vocabulary is recorded when the model is trained and kept inside it, so the fallback ladder
(``actions/fallback.py``) reads the verdict from the parse result instead of reading the
training files at runtime, and it always matches the model that classified the message. Every
parse result carries::

    "in_scope_vocabulary": {"words": 3, "known": 0, "gibberish": true}

(``words``: distinct words of two letters or more; ``known``: how many of them the model was
trained on). Rasa keeps the key in the ``UserUttered`` event's ``parse_data``, which the action
server receives as ``tracker.latest_message``. It runs first, on the text as typed::

    - name: storefront.nlu.in_scope_vocabulary.InScopeVocabulary
    - name: WhitespaceTokenizer
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, FrozenSet, Iterable, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from storefront.nlu.persisted import load_json, save_json

logger = logging.getLogger(__name__)

PARSE_KEY = "in_scope_vocabulary"
"""The key of the verdict in the parse result (and in ``tracker.latest_message``)."""
NOT_IN_SCOPE = frozenset({"out_of_scope", "nlu_fallback"})
VOCABULARY_FILE = "in_scope_vocabulary.json"

_WORD = re.compile(r"[a-z]{2,}")


def words(text: str) -> FrozenSet[str]:
    """Lower-case words of two letters or more."""
    return frozenset(_WORD.findall(text.lower()))


def training_words(training_data: TrainingData) -> FrozenSet[str]:
    """Words of the in-scope intents' examples, of the lookup tables and of the synonyms."""
    found: set[str] = set()
    for example in training_data.intent_examples:
        if example.get(INTENT) not in NOT_IN_SCOPE:
            found |= words(example.get(TEXT) or "")
    for table in training_data.lookup_tables:
        for element in table.get("elements") or []:
            found |= words(str(element))
    for synonym, canonical in training_data.entity_synonyms.items():
        found |= words(f"{synonym} {canonical}")
    return frozenset(found)


def verdict(text: str, known_words: FrozenSet[str]) -> Dict[str, Any]:
    """The parse result's entry for ``text``: gibberish when it has words and none is known."""
    seen = words(text)
    known = len(seen & known_words)
    return {"words": len(seen), "known": known, "gibberish": bool(seen) and known == 0}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class InScopeVocabulary(GraphComponent):
    """Records the in-scope training vocabulary; marks each message's words against it."""

    def __init__(
        self, model_storage: ModelStorage, resource: Resource, known_words: Iterable[str] = ()
    ) -> None:
        """Create the component (use :meth:`create` or :meth:`load`)."""
        self._model_storage = model_storage
        self._resource = resource
        self.known_words: FrozenSet[str] = frozenset(known_words)

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InScopeVocabulary:
        """An untrained component (knows no word)."""
        return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Record and persist the vocabulary of ``training_data``'s in-scope examples."""
        self.known_words = training_words(training_data)
        save_json(self._model_storage, self._resource, VOCABULARY_FILE, sorted(self.known_words))
        logger.info("%s recorded %d in-scope words.", type(self).__name__, len(self.known_words))
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> InScopeVocabulary:
        """The vocabulary recorded by :meth:`train`."""
        known = load_json(model_storage, resource, VOCABULARY_FILE)
        return cls(model_storage, resource, known)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training messages pass through unchanged (the verdict is for the dialogue only)."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Add the verdict (module docstring) to every message's parse result."""
        for message in messages:
            text: Optional[str] = message.get(TEXT)
            message.set(PARSE_KEY, verdict(text or "", self.known_words), add_to_output=True)
        return messages
