"""Scoring a trained model on the held-out splits the way a shopper experiences it.

Rasa's own ``rasa test nlu`` report undoes the FallbackClassifier before scoring intents and
scores each entity extractor separately against every annotated entity. The numbers here are
taken after the fallback and over the merged entities of all extractors, which is what the
dialogue sees:

- intent macro-F1: over the true intents; an out-of-scope message answered with ``nlu_fallback``
  counts as ``out_of_scope`` (both lead to the same reply), an in-scope one counts as wrong;
- in-scope accuracy: share of in-scope messages whose final intent is the true one;
- out-of-scope recall: share of out-of-scope messages whose final intent is ``out_of_scope`` or
  ``nlu_fallback``;
- false-fallback rate: share of in-scope messages sent to ``nlu_fallback`` (the shopper who asked a
  fair question and got "sorry, I didn't get that");
- entity precision/recall/F1: exact (entity type, start, end) spans, micro-averaged.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import AbstractSet, Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"

Span = Tuple[str, int, int]

ROOT = Path(__file__).resolve().parent.parent
# The entities the pipeline learns from annotated examples (the rest come from the catalog).
LEARNED_ENTITIES = frozenset({"order_number", "email", "phone", "country", "postal_code"})


@dataclass(frozen=True)
class HeldOutSplit:
    """A held-out NLU split: never trained on (tests/nlu/test_split.py)."""

    name: str
    path: Path
    description: str
    # The entity types annotated in the split; None: every entity, catalog ones included.
    entity_types: Optional[AbstractSet[str]] = None


HELD_OUT_SPLITS = (
    HeldOutSplit(
        "held-out",
        ROOT / "tests" / "nlu" / "test_data.yml",
        "written in the training data's style, every entity annotated",
    ),
    HeldOutSplit(
        "paraphrase",
        ROOT / "tests" / "nlu" / "paraphrase_data.yml",
        "long stories, fragments, typos, indirect requests; learned entities annotated",
        LEARNED_ENTITIES,
    ),
    HeldOutSplit(
        "paraphrase-b",
        ROOT / "tests" / "nlu" / "paraphrase_b_data.yml",
        "a second paraphrase split in yet another style (rambling stories, texting speak, "
        "non-native English), written before issue 12's second round; learned entities annotated",
        LEARNED_ENTITIES,
    ),
)


@dataclass(frozen=True)
class Example:
    """One annotated held-out message."""

    text: str
    intent: str
    entities: Tuple[Span, ...]


@dataclass(frozen=True)
class Prediction:
    """What the model made of one message."""

    text: str
    intent: str
    confidence: float
    ranking: Tuple[Tuple[str, float], ...]
    entities: Tuple[Span, ...]
    seconds: float


@dataclass
class Scores:
    """The summary numbers of one evaluation (see the module docstring)."""

    intent_macro_f1: float
    in_scope_accuracy: float
    out_of_scope_recall: float
    false_fallback_rate: float
    entity_precision: float
    entity_recall: float
    entity_f1: float
    parse_ms_mean: float
    parse_ms_p95: float
    n_examples: int
    n_out_of_scope: int
    per_intent: Dict[str, Dict[str, float]] = field(default_factory=dict)
    per_entity: Dict[str, Dict[str, float]] = field(default_factory=dict)
    errors: List[Dict[str, Any]] = field(default_factory=list)


def load_examples(path: str | Path) -> List[Example]:
    """Read a Rasa NLU YAML file into :class:`Example` values."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [
        Example(
            text=m.get("text"),
            intent=m.get("intent"),
            entities=tuple(sorted((e["entity"], e["start"], e["end"]) for e in m.get("entities") or [])),
        )
        for m in data.intent_examples
    ]


async def _parse_all(model_path: str, texts: Sequence[str], label: str) -> List[Tuple[Dict[str, Any], float]]:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    from tools.progress import counted

    # Rasa logs every parse at debug level through structlog; a 400-message run would drown the
    # summary.
    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)
    agent = Agent.load(model_path)
    results = []
    for text in counted(texts, label):
        started = time.perf_counter()
        parsed = await agent.parse_message(text)
        results.append((parsed, time.perf_counter() - started))
    return results


def predict(model_path: str | Path, texts: Sequence[str], label: str = "parsing") -> List[Prediction]:
    """Parse every text with the model at ``model_path`` (a ``.tar.gz`` from ``rasa train``).

    ``label`` names the progress bar shown on a terminal while the texts are parsed.
    """
    predictions = []
    for parsed, seconds in asyncio.run(_parse_all(str(model_path), texts, label)):
        entities = {(e["entity"], e["start"], e["end"]) for e in parsed.get("entities", [])}
        ranking = tuple((r["name"], float(r["confidence"])) for r in parsed.get("intent_ranking", []))
        predictions.append(
            Prediction(
                text=parsed["text"],
                intent=parsed["intent"]["name"],
                confidence=float(parsed["intent"]["confidence"]),
                ranking=ranking,
                entities=tuple(sorted(entities)),
                seconds=seconds,
            )
        )
    return predictions


def _prf(tp: int, fp: int, fn: int) -> Tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def with_fallback(ranking: Sequence[Tuple[str, float]], threshold: float, ambiguity: float) -> str:
    """The intent Rasa's FallbackClassifier would leave, given a ranking without the fallback."""
    ranking = [r for r in ranking if r[0] != FALLBACK]
    if not ranking:
        return FALLBACK
    if ranking[0][1] < threshold:
        return FALLBACK
    if len(ranking) > 1 and ranking[0][1] - ranking[1][1] < ambiguity:
        return FALLBACK
    return ranking[0][0]


def score_intents(gold: Sequence[str], predicted: Sequence[str]) -> Tuple[float, float, float, Dict]:
    """Macro-F1, in-scope accuracy, out-of-scope recall and per-intent P/R/F1."""
    final = [
        OUT_OF_SCOPE if g == OUT_OF_SCOPE and p == FALLBACK else p
        for g, p in zip(gold, predicted, strict=False)
    ]
    per_intent: Dict[str, Dict[str, float]] = {}
    for intent in sorted(set(gold)):
        tp = sum(1 for g, p in zip(gold, final, strict=False) if g == intent and p == intent)
        fp = sum(1 for g, p in zip(gold, final, strict=False) if g != intent and p == intent)
        fn = sum(1 for g, p in zip(gold, final, strict=False) if g == intent and p != intent)
        precision, recall, f1 = _prf(tp, fp, fn)
        per_intent[intent] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    macro = statistics.mean(v["f1"] for v in per_intent.values()) if per_intent else 0.0
    in_scope = [(g, p) for g, p in zip(gold, predicted, strict=False) if g != OUT_OF_SCOPE]
    oos = [p for g, p in zip(gold, predicted, strict=False) if g == OUT_OF_SCOPE]
    accuracy = sum(g == p for g, p in in_scope) / len(in_scope) if in_scope else 0.0
    recall = sum(p in (OUT_OF_SCOPE, FALLBACK) for p in oos) / len(oos) if oos else 0.0
    return macro, accuracy, recall, per_intent


def false_fallback_rate(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Share of in-scope messages whose final intent is the fallback."""
    in_scope = [p for g, p in zip(gold, predicted, strict=True) if g != OUT_OF_SCOPE]
    return sum(p == FALLBACK for p in in_scope) / len(in_scope) if in_scope else 0.0


def score_entities(
    gold: Iterable[Iterable[Span]], predicted: Iterable[Iterable[Span]]
) -> Tuple[float, float, float, Dict]:
    """Micro P/R/F1 over exact spans, and the same per entity type."""
    counts: Dict[str, List[int]] = {}
    for gold_spans, predicted_spans in zip(gold, predicted, strict=False):
        g: Set[Span] = set(gold_spans)
        p: Set[Span] = set(predicted_spans)
        for span in g | p:
            tally = counts.setdefault(span[0], [0, 0, 0])
            tally[0 if span in g and span in p else 1 if span in p else 2] += 1
    per_entity = {}
    for entity, (tp, fp, fn) in sorted(counts.items()):
        precision, recall, f1 = _prf(tp, fp, fn)
        per_entity[entity] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    tp, fp, fn = (sum(t[i] for t in counts.values()) for i in range(3))
    precision, recall, f1 = _prf(tp, fp, fn)
    return precision, recall, f1, per_entity


def score(
    examples: Sequence[Example],
    predictions: Sequence[Prediction],
    intents: Optional[Sequence[str]] = None,
    entity_types: Optional[AbstractSet[str]] = None,
) -> Scores:
    """All summary numbers.

    ``intents`` overrides the predicted intents (for threshold sweeps); ``entity_types`` limits the
    entity scores to the types a split annotates (others found in it are not counted as wrong).
    """
    predicted = list(intents) if intents is not None else [p.intent for p in predictions]
    gold = [e.intent for e in examples]
    macro, accuracy, oos_recall, per_intent = score_intents(gold, predicted)

    def kept(spans: Iterable[Span]) -> List[Span]:
        return [s for s in spans if entity_types is None or s[0] in entity_types]

    precision, recall, f1, per_entity = score_entities(
        [kept(e.entities) for e in examples], [kept(p.entities) for p in predictions]
    )
    times = sorted(p.seconds * 1000 for p in predictions) or [0.0]
    errors = [
        {"text": e.text, "intent": e.intent, "predicted": i, "confidence": round(p.confidence, 3)}
        for e, p, i in zip(examples, predictions, predicted, strict=False)
        if e.intent != i and not (e.intent == OUT_OF_SCOPE and i == FALLBACK)
    ]
    return Scores(
        intent_macro_f1=macro,
        in_scope_accuracy=accuracy,
        out_of_scope_recall=oos_recall,
        false_fallback_rate=false_fallback_rate(gold, predicted),
        entity_precision=precision,
        entity_recall=recall,
        entity_f1=f1,
        parse_ms_mean=statistics.mean(times),
        parse_ms_p95=times[min(len(times) - 1, int(0.95 * len(times)))],
        n_examples=len(examples),
        n_out_of_scope=sum(e.intent == OUT_OF_SCOPE for e in examples),
        per_intent=per_intent,
        per_entity=per_entity,
        errors=errors,
    )


def score_split(model_path: str | Path, split: HeldOutSplit, label: Optional[str] = None) -> Scores:
    """Parse a held-out split with a model and score it (``label`` names the progress bar)."""
    examples = load_examples(split.path)
    predictions = predict(model_path, [e.text for e in examples], label=label or split.name)
    return score(examples, predictions, entity_types=split.entity_types)


def sweep_thresholds(
    examples: Sequence[Example],
    predictions: Sequence[Prediction],
    thresholds: Sequence[float],
    ambiguities: Sequence[float],
) -> List[Dict[str, float]]:
    """Score every (threshold, ambiguity) pair from one set of un-fallbacked predictions."""
    rows = []
    for threshold in thresholds:
        for ambiguity in ambiguities:
            intents = [with_fallback(p.ranking, threshold, ambiguity) for p in predictions]
            macro, accuracy, oos_recall, _ = score_intents([e.intent for e in examples], intents)
            rows.append(
                {
                    "threshold": threshold,
                    "ambiguity_threshold": ambiguity,
                    "intent_macro_f1": macro,
                    "in_scope_accuracy": accuracy,
                    "out_of_scope_recall": oos_recall,
                    "false_fallback_rate": false_fallback_rate([e.intent for e in examples], intents),
                    "balanced": (accuracy + oos_recall) / 2,
                }
            )
    return rows
