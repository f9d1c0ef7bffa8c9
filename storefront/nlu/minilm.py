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
from typing import Dict, List, Sequence, Tuple

import numpy as np
from safetensors.numpy import load_file

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


@dataclass(frozen=True)
class _Layer:
    """One transformer layer's weights, laid out for ``weight @ states`` (PyTorch's own layout).

    ``qkv`` is the query, key and value projections stacked into one matrix, the query's rows (and
    bias) already scaled by ``1 / sqrt(head size)``; every bias and layer-norm vector is a column.
    """

    qkv: np.ndarray
    qkv_bias: np.ndarray
    attention_out: np.ndarray
    attention_out_bias: np.ndarray
    attention_norm: Tuple[np.ndarray, np.ndarray]
    intermediate: np.ndarray
    intermediate_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    out_norm: Tuple[np.ndarray, np.ndarray]


def _column(vector: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(vector, dtype=np.float32).reshape(-1, 1)


def _layer_norm(x: np.ndarray, norm: Tuple[np.ndarray, np.ndarray], eps: float) -> np.ndarray:
    """Layer norm of each column of ``x`` (features x tokens), in place: ``x`` is overwritten."""
    x -= x.mean(0)
    variance = np.einsum("ij,ij->j", x, x)
    variance /= x.shape[0]
    variance += eps
    x *= 1.0 / np.sqrt(variance, out=variance)
    x *= norm[0]
    x += norm[1]
    return x


# erf(x) = x * P(x^2) / Q(x^2) on [-4, 4] (outside it erf is +-1 in float32): the rational
# approximation Eigen uses for float32 (and so TensorFlow's tf.math.erf), within 5e-7 of the exact
# erf (tests/nlu/test_minilm.py), in about 25 numpy passes over the array where scipy's erf takes
# about 18 ns per element (four times longer, measured: docs/performance.md, sixth round).
_ERF_NUMERATOR = [
    np.float32(coefficient)
    for coefficient in (
        -2.72614225801306e-10,
        2.77068142495902e-08,
        -2.10102402082508e-06,
        -5.69250639462346e-05,
        -7.34990630326855e-04,
        -2.95459980854025e-03,
        -1.60960333262415e-02,
    )
]
_ERF_DENOMINATOR = [
    np.float32(coefficient)
    for coefficient in (
        -1.45660718464996e-05,
        -2.13374055278905e-04,
        -1.68282697438203e-03,
        -7.37332916720468e-03,
        -1.42647390514189e-02,
    )
]


def erf(x: np.ndarray) -> np.ndarray:
    """The error function of a float32 array, to float32 precision (a new array)."""
    x = np.clip(x, np.float32(-4.0), np.float32(4.0))
    squared = x * x
    numerator = squared * _ERF_NUMERATOR[0]
    for coefficient in _ERF_NUMERATOR[1:-1]:
        numerator += coefficient
        numerator *= squared
    numerator += _ERF_NUMERATOR[-1]
    numerator *= x
    denominator = squared * _ERF_DENOMINATOR[0]
    for coefficient in _ERF_DENOMINATOR[1:-1]:
        denominator += coefficient
        denominator *= squared
    denominator += _ERF_DENOMINATOR[-1]
    numerator /= denominator
    return numerator


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU (with erf, not the tanh approximation), in place: ``x`` is overwritten."""
    scaled = erf(x * np.float32(1.0 / np.sqrt(2.0)))
    scaled += 1.0
    x *= scaled
    x *= 0.5
    return x


class MiniLM:
    """all-MiniLM-L6-v2: texts in, unit-length 384-dimensional sentence embeddings out.

    The forward pass is the model's (BertModel, mean pooling, L2 norm) arranged for small batches of
    short texts, where reading the weights costs more than the arithmetic:

    - states are kept features x tokens, so every dense layer is ``weight @ states`` with the
      weight in PyTorch's ``(out, in)`` layout, which OpenBLAS multiplies faster than
      ``states @ weight.T`` when there are few tokens (measured: docs/performance.md, sixth round);
    - the texts of a batch are packed one after another, not padded: the dense layers only see real
      tokens; only attention pads each text to the batch's longest, with padding masked out;
    - the query, key and value projections are one matrix product;
    - the elementwise steps work in place on the arrays they are given.

    The result equals the straightforward padded forward pass up to float32 rounding
    (``tests/nlu/test_minilm.py`` compares them on the held-out messages).
    """

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
        self._words = np.ascontiguousarray(weights["embeddings.word_embeddings.weight"], dtype=np.float32)
        self._positions = np.ascontiguousarray(
            weights["embeddings.position_embeddings.weight"], dtype=np.float32
        )
        self._token_type = np.asarray(weights["embeddings.token_type_embeddings.weight"][0], dtype=np.float32)
        self._embedding_norm = self._norm(weights, "embeddings.LayerNorm")
        self._layers = [
            self._load_layer(weights, f"encoder.layer.{layer}.") for layer in range(self.dimensions.layers)
        ]

    def _norm(self, weights: Dict[str, np.ndarray], prefix: str) -> Tuple[np.ndarray, np.ndarray]:
        return _column(weights[f"{prefix}.weight"]), _column(weights[f"{prefix}.bias"])

    def _load_layer(self, weights: Dict[str, np.ndarray], prefix: str) -> _Layer:
        def matrix(name: str) -> np.ndarray:
            return np.ascontiguousarray(weights[f"{prefix}{name}.weight"], dtype=np.float32)

        def bias(name: str) -> np.ndarray:
            return np.asarray(weights[f"{prefix}{name}.bias"], dtype=np.float32)

        scale = np.float32(1.0 / np.sqrt(self.dimensions.hidden // self.dimensions.heads))
        attention = "attention.self."
        return _Layer(
            qkv=np.concatenate(
                [matrix(f"{attention}query") * scale, matrix(f"{attention}key"), matrix(f"{attention}value")]
            ),
            qkv_bias=_column(
                np.concatenate(
                    [bias(f"{attention}query") * scale, bias(f"{attention}key"), bias(f"{attention}value")]
                )
            ),
            attention_out=matrix("attention.output.dense"),
            attention_out_bias=_column(bias("attention.output.dense")),
            attention_norm=self._norm(weights, f"{prefix}attention.output.LayerNorm"),
            intermediate=matrix("intermediate.dense"),
            intermediate_bias=_column(bias("intermediate.dense")),
            out=matrix("output.dense"),
            out_bias=_column(bias("output.dense")),
            out_norm=self._norm(weights, f"{prefix}output.LayerNorm"),
        )

    @property
    def width(self) -> int:
        """The embedding's dimension (384)."""
        return self.dimensions.hidden

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """One unit-length row per text. Texts are batched by length, so attention's padding stays small."""
        ids = [self.tokenizer.ids(text) for text in texts]
        order = sorted(range(len(ids)), key=lambda index: len(ids[index]))
        embeddings = np.zeros((len(ids), self.width), dtype=np.float32)
        for first in range(0, len(order), batch_size):
            batch = order[first : first + batch_size]
            embeddings[batch] = self._encode_batch([ids[index] for index in batch])
        return embeddings

    def _encode_batch(self, ids: List[List[int]]) -> np.ndarray:
        """Forward pass of one batch, packed, then mean pooling over each text's tokens and L2 norm."""
        lengths = np.array([len(row) for row in ids])
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        tokens = np.concatenate([np.asarray(row, dtype=np.int64) for row in ids])
        positions = np.arange(len(tokens)) - np.repeat(starts, lengths)
        padding = _Padding(lengths, starts, positions)
        x = self._words[tokens]
        x += self._positions[positions]
        x += self._token_type
        states = _layer_norm(np.ascontiguousarray(x.T), self._embedding_norm, self.dimensions.layer_norm_eps)
        for layer in self._layers:
            states = self._layer(states, layer, padding)
        pooled = np.add.reduceat(states, starts, axis=1).T
        pooled /= lengths[:, None].astype(np.float32)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def _layer(self, states: np.ndarray, layer: _Layer, padding: _Padding) -> np.ndarray:
        """One transformer layer: self-attention, then the feed-forward block, each with residual + norm."""
        eps = self.dimensions.layer_norm_eps
        qkv = layer.qkv @ states
        qkv += layer.qkv_bias
        attended = layer.attention_out @ self._attention(qkv, padding)
        attended += layer.attention_out_bias
        attended += states
        states = _layer_norm(attended, layer.attention_norm, eps)
        hidden = layer.intermediate @ states
        hidden += layer.intermediate_bias
        out = layer.out @ _gelu(hidden)
        out += layer.out_bias
        out += states
        return _layer_norm(out, layer.out_norm, eps)

    def _attention(self, qkv: np.ndarray, padding: _Padding) -> np.ndarray:
        """Multi-head scaled dot-product attention within each text (features x tokens in and out)."""
        heads = self.dimensions.heads
        size = self.dimensions.hidden // heads
        batch, longest = padding.index.shape
        # (3 * hidden, tokens) -> (3, batch, heads, size, longest): each text padded to the longest
        padded = qkv[:, padding.index].reshape(3, heads, size, batch, longest).transpose(0, 3, 1, 2, 4)
        query, key, value = padded[0], padded[1], padded[2]
        scores = query.swapaxes(-1, -2) @ key  # (batch, heads, longest, longest); query pre-scaled
        if padding.bias is not None:
            scores += padding.bias
        scores -= scores.max(-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(-1, keepdims=True)
        attended = value @ scores.swapaxes(-1, -2)  # (batch, heads, size, longest)
        # back to (hidden, tokens), real tokens only
        return attended.transpose(1, 2, 0, 3).reshape(heads * size, batch * longest)[:, padding.packed]


class _Padding:
    """Where each packed token sits when a batch's texts are padded to the longest, for attention."""

    def __init__(self, lengths: np.ndarray, starts: np.ndarray, positions: np.ndarray) -> None:
        longest = int(lengths.max())
        batch = len(lengths)
        texts = np.repeat(np.arange(batch), lengths)
        # index[text, position] is the packed column of that token (padding points at the text's first)
        self.index = np.repeat(starts, longest).reshape(batch, longest)
        self.index[texts, positions] = np.arange(len(texts))
        self.packed = texts * longest + positions
        self.bias = None
        if (lengths < longest).any():
            real = np.arange(longest)[None, :] < lengths[:, None]
            self.bias = np.where(real, 0.0, _MASKED).astype(np.float32)[:, None, None, :]
