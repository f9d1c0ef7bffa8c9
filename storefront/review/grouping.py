"""Similar messages side by side: TF-IDF over character n-grams, then agglomerative clustering.

Character n-grams (within words) keep typos and inflections together ("refund"/"refnud"), and
average-linkage clustering on cosine distance with a distance threshold needs no number of groups.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Sequence

DISTANCE_THRESHOLD = 0.75
"""Cosine distance under which two groups merge (average linkage); lower gives tighter groups."""


def group_texts(texts: Sequence[str], distance_threshold: float = DISTANCE_THRESHOLD) -> List[List[int]]:
    """Indices of ``texts`` in groups of similar messages, the largest group first.

    Within a group the indices keep their input order; groups of equal size come in the order of
    their first message.
    """
    if len(texts) < 2:
        return [[index] for index in range(len(texts))]
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, lowercase=True)
    matrix = vectors.fit_transform(texts).toarray()
    labels = AgglomerativeClustering(
        n_clusters=None, distance_threshold=distance_threshold, affinity="cosine", linkage="average"
    ).fit_predict(matrix)
    groups: Dict[int, List[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        groups[int(label)].append(index)
    return sorted(groups.values(), key=lambda group: (-len(group), group[0]))
