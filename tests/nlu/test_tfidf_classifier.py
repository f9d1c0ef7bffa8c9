"""The TF-IDF logistic regression trains, persists and loads as a Rasa component, and its fast
``process`` gives scikit-learn's probabilities on the held-out messages."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import List, Tuple

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH

from storefront.nlu.tfidf_classifier import TfidfLogisticRegressionClassifier
from tools.nlu_evaluation import HELD_OUT_SPLITS, load_examples

VOCABULARY = ["where", "order", "return", "refund", "hello", "hi"]


def message(text: str, intent: str | None = None) -> Message:
    counts = np.array([[text.split().count(word) for word in VOCABULARY]], dtype=float)
    data = {TEXT: text, **({INTENT: intent} if intent else {})}
    msg = Message(data=data)
    msg.add_features(Features(scipy.sparse.csr_matrix(counts), FEATURE_TYPE_SENTENCE, TEXT, "counts"))
    return msg


def test_round_trip_keeps_predictions(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("tfidf_lr")
    context = ExecutionContext(GraphSchema({}), "tfidf_lr")
    config = TfidfLogisticRegressionClassifier.get_default_config()
    assert config["C"] == 30.0

    examples: List[Message] = [
        message("where order", "order_status"),
        message("where is my order", "order_status"),
        message("order where", "order_status"),
        message("return refund", "start_return"),
        message("refund return", "start_return"),
        message("return", "start_return"),
        message("hello", "greet"),
        message("hi", "greet"),
        message("hello hi", "greet"),
    ]
    trained = TfidfLogisticRegressionClassifier.create(config, storage, resource, context)
    trained.train(TrainingData(training_examples=examples))
    loaded = TfidfLogisticRegressionClassifier.load(config, storage, resource, context)

    probe = [message("where order"), message("refund"), message("hi")]
    loaded.process(probe)
    assert [m.get(INTENT)["name"] for m in probe] == ["order_status", "start_return", "greet"]
    ranking = probe[0].get("intent_ranking")
    assert ranking[0]["name"] == "order_status"
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6


# --- The fast path of ``process`` against scikit-learn, on the trained model -------------------


@pytest.fixture(scope="module")
def trained_classifier_and_messages(
    trained_model: Path,
) -> Tuple[TfidfLogisticRegressionClassifier, List[Message]]:
    """The trained model's classifier and the held-out texts as the classifier receives them.

    The texts of both held-out splits run through the model's graph up to the node that feeds
    the classifier (tokenizer, normalizers, featurizers), as the server does for a message.
    """
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE

    agent = Agent.load(str(trained_model))
    processor = agent.processor
    schema = processor.model_metadata.predict_schema
    node = next(name for name, node in schema.nodes.items() if node.uses is TfidfLogisticRegressionClassifier)
    feeder = schema.nodes[node].needs["messages"]
    texts = [e.text for split in HELD_OUT_SPLITS for e in load_examples(split.path)]
    outputs = processor.graph_runner.run(
        inputs={PLACEHOLDER_MESSAGE: [UserMessage(text) for text in texts]}, targets=[feeder]
    )
    classifier = processor.graph_runner._instantiated_nodes[node]._component
    return classifier, outputs[feeder]


def test_fast_path_probabilities_equal_scikit_learns(
    trained_classifier_and_messages: Tuple[TfidfLogisticRegressionClassifier, List[Message]],
    storage: LocalModelStorage,
    context: ExecutionContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    classifier, featurized = trained_classifier_and_messages
    assert len(featurized) > 300
    expected = classifier.clf.predict_proba(classifier._create_X(featurized))

    config = {**TfidfLogisticRegressionClassifier.get_default_config(), RANKING_LENGTH: 0}
    full_ranking = TfidfLogisticRegressionClassifier(config, "tfidf_lr", storage, Resource("x"))
    full_ranking.clf = classifier.clf
    # Rasa's path must not be taken, or this would compare scikit-learn with itself.
    monkeypatch.setattr(LogisticRegressionClassifier, "process", _must_not_be_called)
    messages = [copy.deepcopy(m) for m in featurized]
    full_ranking.process(messages)

    classes = list(classifier.clf.classes_)
    for message, probabilities in zip(messages, expected, strict=True):
        ranking = message.get("intent_ranking")
        assert len(ranking) == len(classes)
        got = np.array([next(r["confidence"] for r in ranking if r["name"] == c) for c in classes])
        np.testing.assert_allclose(got, probabilities, rtol=0, atol=1e-9)
        assert message.get(INTENT)["name"] == classes[int(np.argmax(probabilities))]


def test_fast_path_sets_what_rasas_process_sets(
    trained_classifier_and_messages: Tuple[TfidfLogisticRegressionClassifier, List[Message]],
) -> None:
    classifier, featurized = trained_classifier_and_messages
    fast = [copy.deepcopy(m) for m in featurized[:60]]
    rasa = [copy.deepcopy(m) for m in featurized[:60]]
    classifier.process(fast)
    LogisticRegressionClassifier.process(classifier, rasa)
    for ours, theirs in zip(fast, rasa, strict=True):
        assert ours.get(INTENT)["name"] == theirs.get(INTENT)["name"]
        assert [r["name"] for r in ours.get("intent_ranking")] == [
            r["name"] for r in theirs.get("intent_ranking")
        ]
        assert abs(ours.get(INTENT)["confidence"] - theirs.get(INTENT)["confidence"]) < 1e-9
        # the same values as plain Python ones (Rasa's are numpy scalars)
        kinds = {(type(r["name"]), type(r["confidence"])) for r in ours.get("intent_ranking")}
        assert kinds == {(str, float)}
        assert type(ours.get(INTENT)["name"]) is str and type(ours.get(INTENT)["confidence"]) is float


def test_dense_sentence_features_take_rasas_path(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "tfidf_lr")
    config = TfidfLogisticRegressionClassifier.get_default_config()
    pairs = [("where order", "a"), ("hello hi", "b"), ("hi", "b"), ("order", "a")]
    examples = [message(t, i) for t, i in pairs]
    for example in examples:
        example.add_features(Features(np.array([[1.0]]), FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    trained = TfidfLogisticRegressionClassifier.create(config, storage, Resource("d"), context)
    trained.train(TrainingData(training_examples=examples))
    probe = message("where order")
    probe.add_features(Features(np.array([[1.0]]), FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    trained.process([probe])
    assert probe.get(INTENT)["name"] == "a"


def _must_not_be_called(*args: object, **kwargs: object) -> None:
    raise AssertionError("Rasa's process was called: the fast path fell back")


def test_a_second_fit_is_scored_with_its_own_weights(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "tfidf_lr")
    config = TfidfLogisticRegressionClassifier.get_default_config()
    classifier = TfidfLogisticRegressionClassifier.create(config, storage, Resource("r"), context)
    first = [message("where order", "a"), message("order", "a"), message("hello", "b"), message("hi", "b")]
    classifier.train(TrainingData(training_examples=first))
    probe = message("hello")
    classifier.process([probe])
    assert probe.get(INTENT)["name"] == "b"

    swapped = [message("where order", "b"), message("order", "b"), message("hello", "a"), message("hi", "a")]
    classifier.train(TrainingData(training_examples=swapped))
    probe = message("hello")
    classifier.process([probe])
    assert probe.get(INTENT)["name"] == "a"


def test_a_message_without_any_known_feature_is_classified_not_an_error(tmp_path: Path) -> None:
    """Emoji-only or other-script messages have no non-zero feature (numpy then hands back integers)."""
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "tfidf_lr")
    config = TfidfLogisticRegressionClassifier.get_default_config()  # sublinear TF, as fitted
    classifier = TfidfLogisticRegressionClassifier.create(config, storage, Resource("z"), context)
    examples = [message("where order", "a"), message("order", "a"), message("hello", "b"), message("hi", "b")]
    classifier.train(TrainingData(training_examples=examples))
    probe = message("🙂🙂🙂")
    classifier.process([probe])
    ranking = probe.get("intent_ranking")
    assert {entry["name"] for entry in ranking} == {"a", "b"}
    assert sum(entry["confidence"] for entry in ranking) == pytest.approx(1.0)
