"""The in-scope vocabulary: recorded at training time, kept in the model, a verdict on every message."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from storefront.nlu.in_scope_vocabulary import PARSE_KEY, InScopeVocabulary

TRAINING = TrainingData(
    training_examples=[
        Message({TEXT: "where is my parcel", INTENT: "order_status"}),
        Message({TEXT: "do you ship to canada", INTENT: "shipping_info"}),
        Message({TEXT: "asdf qwer blorp", INTENT: "out_of_scope"}),
        Message({TEXT: "tell me a joke", INTENT: "out_of_scope"}),
    ],
    lookup_tables=[{"name": "other_shop", "elements": ["zalando"]}],
    entity_synonyms={"jumper": "sweater"},
)


@pytest.fixture()
def loaded(storage: LocalModelStorage, context: ExecutionContext) -> InScopeVocabulary:
    """Trained on :data:`TRAINING`, then loaded from the model storage as the server does."""
    resource = Resource("in_scope_vocabulary")
    InScopeVocabulary.create({}, storage, resource, context).train(TRAINING)
    return InScopeVocabulary.load({}, storage, resource, context)


def parse(component: InScopeVocabulary, text: str) -> Dict[str, Any]:
    message = Message({TEXT: text})
    component.process([message])
    return message.as_dict(only_output_properties=True)


@pytest.mark.parametrize("text", ["asdfjkl", "qwpo zzkx vbnm", "a sdfkj"])
def test_no_in_scope_word_is_gibberish(loaded: InScopeVocabulary, text: str) -> None:
    assert parse(loaded, text)[PARSE_KEY]["gibberish"] is True


@pytest.mark.parametrize("text", ["where's my PARCEL??", "zalando?", "a jumper", "shipping to canada pls"])
def test_one_in_scope_word_is_not_gibberish(loaded: InScopeVocabulary, text: str) -> None:
    assert parse(loaded, text)[PARSE_KEY]["gibberish"] is False


def test_out_of_scope_examples_teach_no_words(loaded: InScopeVocabulary) -> None:
    """Gibberish is trained as out_of_scope: its words must not make gibberish look known."""
    assert parse(loaded, "blorp joke")[PARSE_KEY] == {"words": 2, "known": 0, "gibberish": True}


def test_the_verdict_counts_words_and_known_words(loaded: InScopeVocabulary) -> None:
    assert parse(loaded, "where is my xyzzy")[PARSE_KEY] == {"words": 4, "known": 3, "gibberish": False}


def test_no_words_at_all_is_not_called_gibberish(loaded: InScopeVocabulary) -> None:
    """A bare "#1003" or "?" is an answer or a shrug, not noise: the fallback ladder decides on intent."""
    assert parse(loaded, "#1003 ?")[PARSE_KEY]["gibberish"] is False


def test_training_messages_are_left_alone(storage: LocalModelStorage, context: ExecutionContext) -> None:
    component = InScopeVocabulary.create({}, storage, Resource("v"), context)
    assert component.process_training_data(TRAINING) is TRAINING
