"""A dense sentence feature from a pretrained sentence encoder: meaning beyond the training words.

Bag-of-words features only know the words of the training data: "when do I get my money back"
shares none with "where is my refund". ``SentenceEncoderFeaturizer`` adds, for each message, the
all-MiniLM-L6-v2 embedding of the shopper's text (:mod:`storefront.nlu.minilm`, numpy only) as a
dense sentence feature; the intent classifier reads it beside the count vectors
(``TfidfLogisticRegressionClassifier``, option ``dense_weight``). Measured choices (configs/README.md):

- the raw text, not the spelling-normalised or placeholder lemmas: the encoder was trained on real
  text, typos included, and reads "__product__" as noise;
- no fine-tuning: the encoder is frozen, so training stays a logistic regression (seconds, plus the
  encoding of the training messages in batches).

The weights are not part of the trained model: ``make train`` fetches them once into
``SENTENCE_ENCODER_DIR`` (scripts/fetch_encoder.sh), and both training and the server read them
from there; a missing folder stops with a message saying how to fetch it::

    - name: storefront.nlu.sentence_encoder.SentenceEncoderFeaturizer
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from core.settings import get_settings
from storefront.nlu.minilm import MiniLM

DEFAULT_BATCH_SIZE = 64


@functools.lru_cache(maxsize=1)
def load_encoder(directory: Path) -> MiniLM:
    """The encoder in ``directory``, loaded once per process (cross-validation trains many models)."""
    return MiniLM(directory)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the sentence embedding of each message's text as a dense sentence feature."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Options. ``batch_size``: training messages encoded together (memory vs speed)."""
        return {**DenseFeaturizer.get_default_config(), "batch_size": DEFAULT_BATCH_SIZE}

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """``batch_size`` must be a positive whole number."""
        if not isinstance(config.get("batch_size"), int) or config["batch_size"] < 1:
            raise ValueError(
                f"SentenceEncoderFeaturizer: batch_size must be at least 1, not {config.get('batch_size')!r}"
            )

    def __init__(self, config: Dict[str, Any], name: str, encoder: MiniLM) -> None:
        """Create the component around a loaded encoder (use :meth:`create` or :meth:`load`)."""
        super().__init__(name, config)
        self.encoder = encoder

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEncoderFeaturizer:
        """Load the encoder from ``SENTENCE_ENCODER_DIR`` (nothing is trained)."""
        cls.validate_config(config)
        return cls(config, execution_context.node_name, load_encoder(get_settings().sentence_encoder_dir))

    def process(self, messages: List[Message]) -> List[Message]:
        """Add the embedding of each message that has text, encoding them in batches."""
        with_text = [message for message in messages if message.get(TEXT)]
        if not with_text:
            return messages
        embeddings = self.encoder.encode(
            [message.get(TEXT) for message in with_text], self._config["batch_size"]
        )
        for message, embedding in zip(with_text, embeddings, strict=True):
            self.add_features_to_message(
                sequence=None, sentence=embedding[None, :], attribute=TEXT, message=message
            )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurize the training examples the same way, all in one batched pass."""
        self.process(training_data.training_examples)
        return training_data
