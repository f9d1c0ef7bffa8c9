"""The sentence encoder adds one dense sentence feature per message, and the classifier uses it."""

from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from core.settings import get_settings
from storefront.nlu.minilm import EncoderMissingError, check_encoder_dir
from storefront.nlu.sentence_encoder import SentenceEncoderFeaturizer
from storefront.nlu.tfidf_classifier import TfidfLogisticRegressionClassifier


@pytest.fixture(scope="module")
def encoder_dir() -> Path:
    directory = get_settings().sentence_encoder_dir
    try:
        check_encoder_dir(directory)
    except EncoderMissingError as missing:
        pytest.skip(str(missing))
    return directory


def featurizer(storage: LocalModelStorage, context: ExecutionContext) -> SentenceEncoderFeaturizer:
    config = SentenceEncoderFeaturizer.get_default_config()
    return SentenceEncoderFeaturizer.create(config, storage, Resource("encoder"), context)


def test_each_message_with_text_gets_a_unit_sentence_feature(
    encoder_dir: Path, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    messages = [Message(data={TEXT: "where is my refund"}), Message(data={INTENT: "greet"})]
    featurizer(storage, context).process(messages)
    sequence, sentence = messages[0].get_dense_features(TEXT)
    assert sequence is None
    assert sentence is not None and sentence.features.shape == (1, 384)
    assert abs(np.linalg.norm(sentence.features) - 1.0) < 1e-5
    assert messages[1].get_dense_features(TEXT) == (None, None)


def test_training_data_is_featurized_like_single_messages(
    encoder_dir: Path, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    component = featurizer(storage, context)
    texts = ["has my money come back yet", "hello there", "do you ship to Oregon"]
    data = TrainingData([Message(data={TEXT: text, INTENT: "x"}) for text in texts])
    component.process_training_data(data)
    for text, example in zip(texts, data.training_examples, strict=True):
        alone = Message(data={TEXT: text})
        component.process([alone])
        np.testing.assert_allclose(
            example.get_dense_features(TEXT)[1].features,
            alone.get_dense_features(TEXT)[1].features,
            atol=1e-5,
        )


def test_a_bad_batch_size_is_refused() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        SentenceEncoderFeaturizer.validate_config(
            {**SentenceEncoderFeaturizer.get_default_config(), "batch_size": 0}
        )


# --- the classifier: TF-IDF on the sparse columns only, dense columns appended ------------------


def example(counts: List[float], dense: List[float], intent: str | None = None) -> Message:
    message = Message(data={TEXT: "text", **({INTENT: intent} if intent else {})})
    sparse = scipy.sparse.csr_matrix(np.array([counts]))
    message.add_features(Features(sparse, FEATURE_TYPE_SENTENCE, TEXT, "counts"))
    message.add_features(Features(np.array([dense]), FEATURE_TYPE_SENTENCE, TEXT, "encoder"))
    return message


def test_classifier_learns_from_dense_features_and_round_trips(
    storage: LocalModelStorage, context: ExecutionContext
) -> None:
    # The sparse counts are identical for both intents: only the dense feature tells them apart.
    examples = [example([1, 1], [1, 0], "refund_status") for _ in range(4)]
    examples += [example([1, 1], [0, 1], "greet") for _ in range(4)]
    config = {**TfidfLogisticRegressionClassifier.get_default_config(), "dense_weight": 2.0}
    resource = Resource("classifier")
    trained = TfidfLogisticRegressionClassifier.create(config, storage, resource, context)
    trained.train(TrainingData(training_examples=examples))
    loaded = TfidfLogisticRegressionClassifier.load(config, storage, resource, context)

    probes = [example([1, 1], [0.9, 0.1]), example([1, 1], [0.1, 0.9])]
    loaded.process(probes)
    assert [probe.get(INTENT)["name"] for probe in probes] == ["refund_status", "greet"]
    # TF-IDF reweights the two count columns only; the dense ones come out times dense_weight.
    row = loaded.clf.steps[0][1].transform(loaded._create_X([example([3, 0], [0.5, 0.25])])).toarray()[0]
    np.testing.assert_allclose(row, [1.0, 0.0, 1.0, 0.5])
