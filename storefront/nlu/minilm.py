"""all-MiniLM-L6-v2 sentence embeddings in numpy: its WordPiece tokenizer and its BERT forward pass.

The model (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0) is a 6-layer, 384-wide BERT whose
mean-pooled, L2-normalised token states are a sentence's meaning: paraphrases land close together
("when do I get my money back" near "where is my refund"). Running it needs no deep-learning
framework: the weights are read with ``safetensors.numpy`` and the forward pass is a few matrix
products per layer, as in the model card's reference code (BertModel, mean pooling, normalise).
``scripts/fetch_encoder.sh`` puts the weights in ``SENTENCE_ENCODER_DIR``; nothing is downloaded
here.

:class:`WordPieceTokenizer` reproduces the model's ``BertTokenizer`` (lower case, accents stripped,
punctuation split off, greedy longest-match word pieces); ``tests/nlu/test_minilm.py`` checks its
ids against the reference ``tokenizers`` library. :class:`MiniLM` encodes a batch of texts at once,
padded to the longest with an attention mask, so training-time featurization stays fast.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf

WEIGHTS_FILE = "model.safetensors"
VOCABULARY_FILE = "vocab.txt"
CONFIG_FILE = "config.json"
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json); longer texts are cut
_MAX_WORD_CHARS = 100  # BERT's WordPiece reads a longer "word" as [UNK]
_MASKED = -1e9  # attention score of padding positions: exp() of it is 0


class EncoderMissingError(FileNotFoundError):
    """The encoder's files are not where the settings say; the message says how to fetch them."""


def check_encoder_dir(directory: Path) -> None:
    """Raise :class:`EncoderMissingError` unless ``directory`` holds the encoder's files."""
    missing = [
        name for name in (WEIGHTS_FILE, VOCABULARY_FILE, CONFIG_FILE) if not (directory / name).is_file()
    ]
    if missing:
        raise EncoderMissingError(
            f"the sentence encoder is missing from {directory} ({', '.join(missing)}): run "
            f"`make encoder` (scripts/fetch_encoder.sh), or set SENTENCE_ENCODER_DIR to where it is"
        )


def _is_punctuation(char: str) -> bool:
    """BERT's punctuation: every non-alphanumeric ASCII symbol, and Unicode's P* categories."""
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(char: str) -> bool:
    """CJK ideographs, which BERT splits into one word each."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def _clean(text: str) -> str:
    """Drop control characters and turn every kind of whitespace into a space, as BERT does."""
    kept = []
    for char in text:
        if char in "\t\n\r" or unicodedata.category(char) == "Zs":
            kept.append(" ")
        elif ord(char) in (0, 0xFFFD) or unicodedata.category(char) in ("Cc", "Cf"):
            continue
        elif _is_cjk(char):
            kept.append(f" {char} ")
        else:
            kept.append(char)
    return "".join(kept)


def basic_words(text: str) -> List[str]:
    """Lower-cased, accent-free words with each punctuation mark its own word ("where's" -> 3)."""
    text = unicodedata.normalize("NFD", _clean(text).lower())
    text = "".join(char for char in text if unicodedata.category(char) != "Mn")
    words: List[str] = []
    for chunk in text.split():
        current = ""
        for char in chunk:
            if _is_punctuation(char):
                words.extend([current, char] if current else [char])
                current = ""
            else:
                current += char
        if current:
            words.append(current)
    return words


class WordPieceTokenizer:
    """The model's uncased BERT tokenizer: text to ids, ``[CLS] ... [SEP]``."""

    def __init__(self, vocabulary: Dict[str, int]) -> None:
        """Tokenize with ``vocabulary`` (piece -> id, from ``vocab.txt``)."""
        self.vocabulary = vocabulary
        self.unknown = vocabulary["[UNK]"]
        self.start = vocabulary["[CLS]"]
        self.end = vocabulary["[SEP]"]

    @classmethod
    def from_file(cls, path: Path) -> WordPieceTokenizer:
        """Read ``vocab.txt``: one piece per line, its id is the line number."""
        lines = path.read_text(encoding="utf-8").splitlines()
        return cls({piece: index for index, piece in enumerate(lines)})

    def word_pieces(self, word: str) -> List[int]:
        """Greedy longest-match-first pieces of one word; ``[UNK]`` if any part has no piece."""
        if len(word) > _MAX_WORD_CHARS:
            return [self.unknown]
        pieces: List[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else f"##{word[start:end]}"
                if piece in self.vocabulary:
                    pieces.append(self.vocabulary[piece])
                    break
                end -= 1
            else:
                return [self.unknown]
            start = end
        return pieces

    def ids(self, text: str, max_tokens: int = MAX_TOKENS) -> List[int]:
        """The token ids the model reads for ``text``, cut to ``max_tokens`` with the markers."""
        body = [piece for word in basic_words(text) for piece in self.word_pieces(word)]
        return [self.start, *body[: max_tokens - 2], self.end]


@dataclass(frozen=True)
class _Dimensions:
    layers: int
    heads: int
    hidden: int
    layer_norm_eps: float


def _layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * gain + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU (with erf, not the tanh approximation)."""
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class MiniLM:
    """all-MiniLM-L6-v2: texts in, unit-length 384-dimensional sentence embeddings out."""

    def __init__(self, directory: Path) -> None:
        """Load the weights, vocabulary and shape from ``directory`` (see :func:`check_encoder_dir`)."""
        check_encoder_dir(directory)
        config = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
        self.dimensions = _Dimensions(
            config["num_hidden_layers"],
            config["num_attention_heads"],
            config["hidden_size"],
            config["layer_norm_eps"],
        )
        self.tokenizer = WordPieceTokenizer.from_file(directory / VOCABULARY_FILE)
        weights = load_file(str(directory / WEIGHTS_FILE))
        # Transposed once here so every dense layer is a plain ``x @ weight`` (contiguous in memory).
        self.weights = {
            name: np.ascontiguousarray(value.T) if value.ndim == 2 and "embeddings" not in name else value
            for name, value in weights.items()
        }

    @property
    def width(self) -> int:
        """The embedding's dimension (384)."""
        return self.dimensions.hidden

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """One unit-length row per text. Texts are batched by length, so padding stays small."""
        ids = [self.tokenizer.ids(text) for text in texts]
        order = sorted(range(len(ids)), key=lambda index: len(ids[index]))
        embeddings = np.zeros((len(ids), self.width), dtype=np.float32)
        for first in range(0, len(order), batch_size):
            batch = order[first : first + batch_size]
            embeddings[batch] = self._encode_batch([ids[index] for index in batch])
        return embeddings

    def _encode_batch(self, ids: List[List[int]]) -> np.ndarray:
        """Forward pass of one padded batch, then mean pooling over the real tokens and L2 norm."""
        longest = max(len(row) for row in ids)
        padded = np.zeros((len(ids), longest), dtype=np.int64)
        mask = np.zeros((len(ids), longest), dtype=np.float32)
        for row, row_ids in enumerate(ids):
            padded[row, : len(row_ids)] = row_ids
            mask[row, : len(row_ids)] = 1.0
        states = self._embed(padded)
        attention_bias = ((1.0 - mask) * _MASKED)[:, None, None, :]
        for layer in range(self.dimensions.layers):
            states = self._layer(states, attention_bias, f"encoder.layer.{layer}.")
        pooled = (states * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def _embed(self, ids: np.ndarray) -> np.ndarray:
        w = self.weights
        positions = w["embeddings.position_embeddings.weight"][: ids.shape[1]]
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + positions
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        return self._norm(x, "embeddings.LayerNorm")

    def _norm(self, x: np.ndarray, prefix: str) -> np.ndarray:
        w = self.weights
        return _layer_norm(x, w[f"{prefix}.weight"], w[f"{prefix}.bias"], self.dimensions.layer_norm_eps)

    def _dense(self, x: np.ndarray, prefix: str) -> np.ndarray:
        return x @ self.weights[f"{prefix}.weight"] + self.weights[f"{prefix}.bias"]

    def _layer(self, x: np.ndarray, attention_bias: np.ndarray, prefix: str) -> np.ndarray:
        """One transformer layer: self-attention, then the feed-forward block, each with residual + norm."""
        attended = self._attention(x, attention_bias, f"{prefix}attention.self.")
        x = self._norm(
            self._dense(attended, f"{prefix}attention.output.dense") + x,
            f"{prefix}attention.output.LayerNorm",
        )
        hidden = _gelu(self._dense(x, f"{prefix}intermediate.dense"))
        return self._norm(self._dense(hidden, f"{prefix}output.dense") + x, f"{prefix}output.LayerNorm")

    def _attention(self, x: np.ndarray, attention_bias: np.ndarray, prefix: str) -> np.ndarray:
        """Multi-head scaled dot-product attention; padding positions get no weight."""
        batch, length, hidden = x.shape
        heads = self.dimensions.heads
        size = hidden // heads

        def split_heads(projection: np.ndarray) -> np.ndarray:
            return projection.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

        query = split_heads(self._dense(x, f"{prefix}query"))
        key = split_heads(self._dense(x, f"{prefix}key"))
        value = split_heads(self._dense(x, f"{prefix}value"))
        scores = query @ key.transpose(0, 1, 3, 2) / np.sqrt(size) + attention_bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        return (scores @ value).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
