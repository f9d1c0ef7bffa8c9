"""The spelling normaliser: variants reach the count vectors as the canonical word, token texts stay."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from storefront.nlu.spelling_normalizer import (
    DEFAULT_VARIANTS_FILE,
    TOKENS,
    SpellingNormalizer,
    read_variants,
)

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = """
spellings:
  please: [pls, plz]
  address: [adress, addy]
  color: [colour]
"""


@pytest.fixture()
def variants_file(tmp_path: Path) -> Path:
    path = tmp_path / "variants.yml"
    path.write_text(VARIANTS, encoding="utf-8")
    return path


def trained(variants_file: Path, storage: LocalModelStorage, context: ExecutionContext) -> SpellingNormalizer:
    """Train on ``variants_file``, then delete it and load: the model must carry the table."""
    config = {**SpellingNormalizer.get_default_config(), "variants_file": str(variants_file)}
    resource = Resource("spelling_normalizer")
    SpellingNormalizer.create(config, storage, resource, context).train(TrainingData())
    variants_file.unlink()
    return SpellingNormalizer.load(config, storage, resource, context)


def tokens_of(text: str, normalizer: SpellingNormalizer) -> List[tuple]:
    message = Message({TEXT: text})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    normalizer.process([message])
    return [(t.text, t.lemma) for t in message.get(TOKENS)]


def test_variants_get_the_canonical_lemma_and_keep_their_text(
    variants_file: Path, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    normalizer = trained(variants_file, storage, context)
    assert tokens_of("Pls change my adress, the Colour too", normalizer) == [
        ("Pls", "please"),
        ("change", "change"),
        ("my", "my"),
        ("adress", "address"),
        ("the", "the"),
        ("Colour", "color"),
        ("too", "too"),
    ]


def test_training_messages_are_normalised_for_the_featurizers(
    variants_file: Path, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    normalizer = trained(variants_file, storage, context)
    message = Message({TEXT: "new addy plz"})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    normalizer.process_training_data(TrainingData([message]))
    assert [t.lemma for t in message.get(TOKENS)] == ["new", "address", "please"]


def test_editing_the_variants_file_changes_the_fingerprint(variants_file: Path) -> None:
    config = {"variants_file": str(variants_file)}
    before = SpellingNormalizer.fingerprint_addon(config)
    variants_file.write_text(VARIANTS + "  cancel: [cancle]\n", encoding="utf-8")
    assert SpellingNormalizer.fingerprint_addon(config) != before


def test_a_variant_under_two_words_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "variants.yml"
    path.write_text("spellings:\n  your: [ur]\n  you are: [ur]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'ur'"):
        read_variants(path)


def test_a_file_without_spellings_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "variants.yml"
    path.write_text("please: [pls]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="spellings"):
        read_variants(path)


def test_the_projects_variants_file_is_valid_and_has_no_canonical_word_as_a_variant() -> None:
    table = read_variants(ROOT / DEFAULT_VARIANTS_FILE)
    # A canonical word listed as another's variant would chain ("ur" -> "your" -> ...).
    assert sorted(set(table) & set(table.values())) == []
