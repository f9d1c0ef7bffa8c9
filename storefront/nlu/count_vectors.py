"""Rasa's ``CountVectorsFeaturizer``, with a message's count features built straight from the vocabulary.

Rasa 3.6 featurizes each message attribute with two calls of scikit-learn's
``CountVectorizer.transform``: one with the tokens as documents (the sequence features, a row per
token), one with the tokens joined by spaces (the sentence features). Each call builds the
analyzer again, checks the vocabulary, counts the features into a CSR matrix, sorts it, and Rasa
then sorts it once more and converts it to COO. For one short message that bookkeeping costs more
than the counting, and in the Rasa server it runs in the NLU thread holding the GIL: under load the
two featurizers of ``config.yml`` held it as long as the sentence encoder (docs/performance.md,
sixteenth round).

Here the vectorizer's own analyzer (built once per call of :meth:`_create_features`) counts the
same features, looked up in the same vocabulary, straight into the COO matrices: the same rows,
columns, counts, index and value types and shape as Rasa's (``tests/nlu/test_count_vectors.py``
compares them on every training and test message, for both featurizers of ``config.yml``). Training
is Rasa's, unchanged: scikit-learn fits the vocabulary. A vectorizer this shortcut does not cover
(``binary`` counts, not fitted, an empty vocabulary) goes through Rasa's code and its errors.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer import count_vectors_featurizer
from sklearn.feature_extraction.text import CountVectorizer

Features = List[Optional[scipy.sparse.spmatrix]]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class CountVectorsFeaturizer(count_vectors_featurizer.CountVectorsFeaturizer):
    """Rasa's bag-of-words (or character n-gram) features, counted without ``transform``'s overhead.

    Configured, trained, persisted and loaded as Rasa's ``CountVectorsFeaturizer`` (same options,
    same vocabulary files); only how a message's features are counted differs.
    """

    def _create_features(self, attribute: str, all_tokens: List[List[str]]) -> Tuple[Features, Features]:
        vectorizer = self.vectorizers.get(attribute)
        if not vectorizer or vectorizer.binary or not getattr(vectorizer, "vocabulary_", None):
            return super()._create_features(attribute, all_tokens)
        analyze = vectorizer.build_analyzer()
        sequence_features: Features = []
        sentence_features: Features = []
        for tokens in all_tokens:
            if not tokens:  # nothing to featurize (the attribute is not set)
                sequence_features.append(None)
                sentence_features.append(None)
                continue
            sequence_features.append(count_matrix(vectorizer, analyze, tokens))
            sentence_features.append(
                count_matrix(vectorizer, analyze, [" ".join(tokens)])
                if attribute in DENSE_FEATURIZABLE_ATTRIBUTES
                else None
            )
        return sequence_features, sentence_features


def count_matrix(
    vectorizer: CountVectorizer, analyze: Callable[[str], Sequence[str]], documents: Sequence[str]
) -> scipy.sparse.coo_matrix:
    """``vectorizer.transform(documents)``, indices sorted, as COO: a row per document, a column per
    vocabulary entry, each cell how often the document's analyzed features hold that entry."""
    vocabulary: Dict[str, int] = vectorizer.vocabulary_
    rows: List[int] = []
    columns: List[int] = []
    counts: List[int] = []
    for row, document in enumerate(documents):
        counted: Dict[int, int] = {}
        for feature in analyze(document):
            column = vocabulary.get(feature)
            if column is not None:  # out-of-vocabulary features are left out, as transform does
                counted[column] = counted.get(column, 0) + 1
        for column in sorted(counted):
            rows.append(row)
            columns.append(column)
            counts.append(counted[column])
    return scipy.sparse.coo_matrix(
        (
            np.asarray(counts, dtype=vectorizer.dtype),
            (np.asarray(rows, dtype=np.int32), np.asarray(columns, dtype=np.int32)),
        ),
        shape=(len(documents), len(vocabulary)),
    )
