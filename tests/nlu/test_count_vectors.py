"""The count-vector featurizer gives every message exactly the features Rasa's own gives it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Tuple

import numpy as np
import pytest
import scipy.sparse
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer import count_vectors_featurizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ACTION_NAME, ACTION_TEXT, INTENT, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from storefront.nlu.count_vectors import CountVectorsFeaturizer

ROOT = Path(__file__).resolve().parents[2]
NAME = "storefront.nlu.count_vectors.CountVectorsFeaturizer"

RasaFeaturizer = count_vectors_featurizer.CountVectorsFeaturizer


def configured() -> List[Dict[str, Any]]:
    """The options of every count-vector featurizer in config.yml."""
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    return [{k: v for k, v in c.items() if k != "name"} for c in pipeline if c["name"] == NAME]


def test_config_uses_this_featurizer_for_words_and_character_ngrams() -> None:
    analyzers = sorted(options.get("analyzer", "word") for options in configured())
    assert analyzers == ["char_wb", "word"]


def messages(path: Path) -> List[Message]:
    return [Message({TEXT: m.get(TEXT), INTENT: m.get(INTENT)}) for m in load_data(str(path)).intent_examples]


@pytest.fixture(scope="module")
def training() -> TrainingData:
    """The project's training messages, a few actions' names and texts, tokenized."""
    actions = [Message({ACTION_NAME: "action_order_status"}), Message({ACTION_TEXT: "Your order shipped."})]
    data = TrainingData([*messages(ROOT / "data" / "nlu"), *actions])
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process_training_data(data)
    return data


@pytest.fixture(scope="module")
def held_out() -> List[Message]:
    """Messages the featurizers were not trained on: the test split, odd spellings, empty text."""
    extra = ["", "   ", "wHere's MY ördér #1001??", "zzqx blorf", "t-shirt size xl", "🙂 thanks!!"]
    held = messages(ROOT / "tests" / "nlu" / "test_data.yml") + [Message({TEXT: text}) for text in extra]
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process(held)
    return held


def trained(cls: type, options: Dict[str, Any], data: TrainingData, storage: LocalModelStorage) -> Any:
    context = ExecutionContext(GraphSchema({}), "test", node_name="count_vectors")
    resource = Resource(f"{cls.__module__}-{options.get('analyzer', 'word')}")
    config = {**cls.get_default_config(), **options}
    cls.create(config, storage, resource, context).train(data)
    return cls.load(config, storage, resource, context)  # as the server has it: vocabulary from disk


def featurized(featurizer: Any, message: Message) -> List[Any]:
    copy = Message(dict(message.data))  # same tokens, no features yet
    featurizer.process([copy])
    return copy.features


def described(feature: Any) -> Tuple[str, str, Any]:
    return feature.type, feature.attribute, feature.origin


def assert_same_matrix(ours: scipy.sparse.coo_matrix, theirs: scipy.sparse.coo_matrix) -> None:
    assert type(ours) is type(theirs)
    assert ours.shape == theirs.shape
    for name in ("row", "col", "data"):
        mine, rasa = getattr(ours, name), getattr(theirs, name)
        assert mine.dtype == rasa.dtype, name
        np.testing.assert_array_equal(mine, rasa, err_msg=name)


@pytest.mark.parametrize("index", [0, 1], ids=["first", "second"])
def test_every_message_gets_rasas_features(
    index: int, training: TrainingData, held_out: List[Message], tmp_path: Path
) -> None:
    options = configured()[index]
    storage = LocalModelStorage(tmp_path)
    ours = trained(CountVectorsFeaturizer, options, training, storage)
    theirs = trained(RasaFeaturizer, options, training, storage)
    assert ours.vectorizers.keys() == theirs.vectorizers.keys()
    compared = 0
    for message in [*training.training_examples, *held_out]:
        mine, rasa = featurized(ours, message), featurized(theirs, message)
        assert [described(f) for f in mine] == [described(f) for f in rasa]
        for feature, expected in zip(mine, rasa, strict=True):
            assert_same_matrix(feature.features, expected.features)
            compared += 1
    assert compared > 2 * len(training.training_examples)  # sequence and sentence features of each


def test_a_binary_vectorizer_is_left_to_rasa(training: TrainingData, tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    ours = trained(CountVectorsFeaturizer, {}, training, storage)
    theirs = trained(RasaFeaturizer, {}, training, storage)
    for featurizer in (ours, theirs):
        for vectorizer in featurizer.vectorizers.values():
            vectorizer.binary = True
    message = Message({TEXT: "order order order"})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    for feature, expected in zip(featurized(ours, message), featurized(theirs, message), strict=True):
        assert_same_matrix(feature.features, expected.features)
        assert feature.features.data.max() <= 1
