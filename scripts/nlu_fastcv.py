"""Quick experiments on the intent classifier: cross-validation in seconds, from cached features.

``make cv`` trains the whole Rasa pipeline once per fold (about 25 minutes here, most of it the
sentence encoder embedding the same messages again). For trying classifier settings and new
training data, this script runs a trained model's graph *once* per distinct text, up to the
intent classifier's input, and caches what the classifier's features are made of: the lemmas
after the spelling, destination and catalog normalisers, the regex features and the sentence
embedding (``results/nlu_fast/cache.pkl``, keyed by text). The count vectors (word 1-2-grams and
character 2-5-grams, as the config's two ``CountVectorsFeaturizer``s build them), TF-IDF and the
logistic regression are then fitted per fold in scikit-learn, as the Rasa components do.

It approximates the pipeline only as far as the normalisers and the regexes stay as they were in
the model (retrain and clear the cache after changing them); new *training data* needs no
retraining. The final numbers always come from ``make cv`` and ``make eval``.

    python scripts/nlu_fastcv.py MODEL.tar.gz [--C 30] [--dense-weight 1.0] [--splits] [--errors]
"""

from __future__ import annotations

import argparse
import pickle
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from nlu_common import ROOT, TRAINING_DATA
from scipy.sparse import csr_matrix, hstack

from tools.nlu_evaluation import (
    HELD_OUT_SPLITS,
    OUT_OF_SCOPE,
    false_fallback_rate,
    score_intents,
    with_fallback,
)

CACHE = ROOT / "results" / "nlu_fast" / "cache.pkl"
# Rasa's CountVectorsFeaturizer word pattern (single-letter words count)
WORDS = r"(?u)\b\w+\b"


@dataclass
class Cached:
    lemmas: List[str]
    regex: np.ndarray
    dense: np.ndarray


def featurize(model: Path, texts: Sequence[str], cache: Dict[str, Cached]) -> None:
    """Run the model's graph up to the classifier for the texts not cached yet."""
    missing = sorted({t for t in texts if t not in cache}, key=len)
    if not missing:
        return
    import asyncio
    import logging

    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage
    from rasa.nlu.constants import TOKENS_NAMES
    from rasa.shared.nlu.constants import TEXT

    logging.getLogger("rasa").setLevel(logging.WARNING)
    agent = Agent.load(str(model))
    processor = agent.processor
    assert processor is not None
    nodes = processor.model_metadata.predict_schema.nodes
    target = next(
        name for name, node in nodes.items() if node.uses.__name__ == "TfidfLogisticRegressionClassifier"
    )
    inputs = list(nodes[target].needs.values())
    regex_nodes = {name for name, node in nodes.items() if node.uses.__name__ == "RegexFeaturizer"}
    print(f"featurizing {len(missing)} texts through {inputs}", flush=True)
    for start in range(0, len(missing), 512):
        batch = missing[start : start + 512]
        results = processor.graph_runner.run(
            inputs={"__message__": [UserMessage(t) for t in batch], "__tracker__": None}, targets=inputs
        )
        for message in results[inputs[0]]:
            tokens = message.get(TOKENS_NAMES[TEXT]) or []
            regex = np.zeros(0)
            dense = np.zeros(0)
            for features in message.features:
                if features.attribute != TEXT or features.type != "sentence":
                    continue
                if any(origin in regex_nodes for origin in np.atleast_1d(features.origin)):
                    regex = np.asarray(features.features.todense()).ravel()
                elif not features.is_sparse():
                    dense = np.asarray(features.features).ravel()
            cache[message.get(TEXT)] = Cached([t.lemma for t in tokens], regex, dense)
        save_cache(cache)
        print(f"  {min(start + 512, len(missing))}/{len(missing)}", flush=True)
    del asyncio


def load_cache() -> Dict[str, Cached]:
    if CACHE.exists():
        return pickle.loads(CACHE.read_bytes())  # noqa: S301 (this script's own cache file)
    return {}


def save_cache(cache: Dict[str, Cached]) -> None:
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_bytes(pickle.dumps(cache))


def load(path: Path) -> Tuple[List[str], List[str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [m.get("text") for m in data.intent_examples], [m.get("intent") for m in data.intent_examples]


def processed(lemmas: List[str]) -> str:
    return " ".join(re.sub(r"\b[0-9]+\b", "__NUMBER__", t).lower() for t in lemmas)


@dataclass
class Settings:
    C: float = 30.0
    dense_weight: float = 1.0
    char: Tuple[int, int] = (2, 5)
    word: Tuple[int, int] = (1, 2)
    class_weight: Optional[str] = "balanced"
    sparse: bool = True


class Model:
    def __init__(self, settings: Settings) -> None:
        self.s = settings

    def _sparse(self, docs: List[str], fit: bool) -> csr_matrix:
        from sklearn.feature_extraction.text import CountVectorizer

        if fit:
            self.word = CountVectorizer(token_pattern=WORDS, ngram_range=self.s.word).fit(docs)
            self.char = CountVectorizer(analyzer="char_wb", ngram_range=self.s.char).fit(docs)
        return hstack([self.word.transform(docs), self.char.transform(docs)]).tocsr()

    def _x(self, rows: List[Cached], fit: bool) -> csr_matrix:
        from sklearn.feature_extraction.text import TfidfTransformer

        docs = [processed(r.lemmas) for r in rows]
        parts = []
        if self.s.sparse:
            counts = hstack([self._sparse(docs, fit), csr_matrix(np.vstack([r.regex for r in rows]))]).tocsr()
            if fit:
                self.tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
            parts.append(self.tfidf.transform(counts))
        if self.s.dense_weight:
            parts.append(csr_matrix(np.vstack([r.dense for r in rows]) * self.s.dense_weight))
        return hstack(parts).tocsr()

    def fit(self, rows: List[Cached], y: List[str]) -> Model:
        from sklearn.linear_model import LogisticRegression

        self.clf = LogisticRegression(
            C=self.s.C,
            solver="lbfgs",
            max_iter=1000,
            tol=1e-4,
            random_state=42,
            class_weight=self.s.class_weight,
        )
        self.clf.fit(self._x(rows, True), y)
        return self

    def rankings(self, rows: List[Cached]) -> List[List[Tuple[str, float]]]:
        probabilities = self.clf.predict_proba(self._x(rows, False))
        out = []
        for p in probabilities:
            order = np.argsort(-p)
            out.append([(self.clf.classes_[i], float(p[i])) for i in order])
        return out


def scores(
    gold: Sequence[str], rankings: Sequence[Sequence[Tuple[str, float]]], threshold: float
) -> Dict[str, float]:
    final = [with_fallback(r, threshold, 0.0) for r in rankings]
    macro, accuracy, oos, _ = score_intents(gold, final)
    return {"macro": macro, "in_scope": accuracy, "oos": oos, "ff": false_fallback_rate(gold, final)}


def fmt(s: Dict[str, float]) -> str:
    return f"{s['macro']:.3f} / {s['in_scope']:.3f} / {s['oos']:.3f} / {s['ff']:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--C", type=float, nargs="+", default=[30.0])
    parser.add_argument("--dense-weight", type=float, nargs="+", default=[1.0])
    parser.add_argument("--class-weight", default="balanced")
    parser.add_argument("--threshold", type=float, default=0.4)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-cv", action="store_true")
    parser.add_argument("--errors", type=Path, help="write split and cv errors to this folder")
    parser.add_argument("--nlu", type=Path, default=TRAINING_DATA)
    parser.add_argument("--without", nargs="*", default=[], help="files of --nlu to leave out")
    parser.add_argument(
        "--extra",
        nargs="*",
        default=[],
        help="files of --nlu always trained on and never scored in cv (compares data on the same messages)",
    )
    parser.add_argument("--thresholds", action="store_true", help="sweep the fallback threshold on cv")
    args = parser.parse_args()
    if args.without:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="nlu_fast_"))
        for path in args.nlu.glob("*.yml"):
            if path.name not in args.without:
                (folder / path.name).symlink_to(path.resolve())
        args.nlu = folder

    texts, intents = load(args.nlu)
    extra_texts: List[str] = []
    extra_intents: List[str] = []
    for name in args.extra:
        more = load(args.nlu / name)
        extra_texts += more[0]
        extra_intents += more[1]
    if extra_texts:
        keep = set(extra_texts)
        pairs = [(t, i) for t, i in zip(texts, intents, strict=True) if t not in keep]
        texts, intents = [p[0] for p in pairs], [p[1] for p in pairs]
    args.extra_rows = extra_texts, extra_intents
    splits = {s.name: load(s.path) for s in HELD_OUT_SPLITS}
    cache = load_cache()
    featurize(args.model, texts + extra_texts + [t for s in splits.values() for t in s[0]], cache)
    save_cache(cache)
    rows = [cache[t] for t in texts]
    for C in args.C:
        for dense_weight in args.dense_weight:
            settings = Settings(
                C=C,
                dense_weight=dense_weight,
                class_weight=None if args.class_weight == "none" else args.class_weight,
            )
            print(f"--- C={C} dense_weight={dense_weight} class_weight={settings.class_weight}", flush=True)
            experiment(args, settings, texts, intents, rows, splits, cache)


def experiment(args, settings, texts, intents, rows, splits, cache) -> None:  # type: ignore[no-untyped-def]
    errors: List[str] = []

    if not args.no_cv:
        from sklearn.model_selection import StratifiedKFold

        rankings: List[Optional[List[Tuple[str, float]]]] = [None] * len(texts)
        for train_idx, test_idx in StratifiedKFold(args.folds, shuffle=True, random_state=42).split(
            texts, intents
        ):
            model = Model(settings).fit(
                [rows[i] for i in train_idx] + [cache[t] for t in args.extra_rows[0]],
                [intents[i] for i in train_idx] + args.extra_rows[1],
            )
            for i, r in zip(test_idx, model.rankings([rows[i] for i in test_idx]), strict=True):
                rankings[i] = r
        before = scores(intents, rankings, 0.0)  # type: ignore[arg-type]
        after = scores(intents, rankings, args.threshold)  # type: ignore[arg-type]
        print(f"cv ({len(texts)}): before {fmt(before)}   after {fmt(after)}")
        if args.thresholds:
            for threshold in np.arange(0.2, 0.61, 0.05):
                print(f"   threshold {threshold:.2f}: {fmt(scores(intents, rankings, threshold))}")  # type: ignore[arg-type]
        for text, gold, r in zip(texts, intents, rankings, strict=True):
            final = with_fallback(r, args.threshold, 0.0)  # type: ignore[arg-type]
            if final != gold and not (gold == OUT_OF_SCOPE and final == "nlu_fallback"):
                errors.append(f"cv\t{gold}\t{final}\t{r[0][1]:.2f}\t{text}")  # type: ignore[index]

    model = Model(settings).fit(rows + [cache[t] for t in args.extra_rows[0]], intents + args.extra_rows[1])
    for name, (split_texts, split_intents) in splits.items():
        ranks = model.rankings([cache[t] for t in split_texts])
        print(f"{name:13s} ({len(split_texts)}): {fmt(scores(split_intents, ranks, args.threshold))}")
        for text, gold, r in zip(split_texts, split_intents, ranks, strict=True):
            final = with_fallback(r, args.threshold, 0.0)
            if final != gold and not (gold == OUT_OF_SCOPE and final == "nlu_fallback"):
                errors.append(f"{name}\t{gold}\t{final}\t{r[0][1]:.2f}\t{text}")
    if args.errors:
        name = f"errors_C{settings.C:g}_dw{settings.dense_weight:g}.tsv"
        args.errors.mkdir(parents=True, exist_ok=True)
        (args.errors / name).write_text("\n".join(sorted(errors)) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
