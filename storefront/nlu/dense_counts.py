"""Dense copies of the sparse sentence features, for classifiers that only read dense features.

Only used by the spaCy + scikit-learn pipeline in ``configs/spacy_sklearn.yml``. Rasa's
``SklearnIntentClassifier`` reads dense sentence features only, and the one dense featurizer that
pipeline could otherwise use (``SpacyFeaturizer``) needs word vectors: no pretrained spaCy pipeline
can be installed here, and a blank pipeline's zero-width vectors make it fail. This component turns
the bag-of-words sentence features of ``CountVectorsFeaturizer`` into a dense row instead.
"""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SparseToDenseFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the message's sparse sentence features again as dense sentence features."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """No options beyond the featurizer alias."""
        return {**DenseFeaturizer.get_default_config()}

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """Nothing to validate beyond the alias."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SparseToDenseFeaturizer:
        """Create the (stateless) component."""
        return cls(execution_context.node_name, config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Add dense sentence features to each message that has sparse ones."""
        for message in messages:
            _, sentence = message.get_sparse_features(TEXT)
            if sentence is not None:
                dense = np.asarray(sentence.features.todense(), dtype=np.float32)
                self.add_features_to_message(sequence=None, sentence=dense, attribute=TEXT, message=message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurize the training examples the same way."""
        self.process(training_data.training_examples)
        return training_data
