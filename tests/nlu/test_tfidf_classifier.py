"""The TF-IDF logistic regression trains, persists and loads as a Rasa component."""

from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from storefront.nlu.tfidf_classifier import TfidfLogisticRegressionClassifier

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
