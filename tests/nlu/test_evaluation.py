"""The evaluation arithmetic behind ``make eval``, ``make compare`` and the floors."""

from __future__ import annotations

import pytest

from tools.nlu_evaluation import (
    LEARNED_ENTITIES,
    Example,
    Prediction,
    false_fallback_rate,
    score,
    score_entities,
    score_intents,
    with_fallback,
)


def test_fallback_on_low_confidence_and_on_ambiguity() -> None:
    ranking = [("order_status", 0.55), ("shipping_info", 0.40)]
    assert with_fallback(ranking, threshold=0.6, ambiguity=0.0) == "nlu_fallback"
    assert with_fallback(ranking, threshold=0.5, ambiguity=0.2) == "nlu_fallback"
    assert with_fallback(ranking, threshold=0.5, ambiguity=0.1) == "order_status"
    # a ranking that already holds the fallback is judged on the classifier's own intents
    assert with_fallback([("nlu_fallback", 0.7), *ranking], threshold=0.5, ambiguity=0.1) == "order_status"


def test_out_of_scope_answered_by_fallback_counts_as_handled() -> None:
    gold = ["out_of_scope", "out_of_scope", "greet", "greet"]
    predicted = ["nlu_fallback", "greet", "nlu_fallback", "greet"]
    macro, accuracy, oos_recall, per_intent = score_intents(gold, predicted)
    assert oos_recall == 0.5
    assert accuracy == 0.5  # an in-scope fallback is a miss
    # out_of_scope: 1 tp, 1 fn, 0 fp; greet: 1 tp, 1 fn, 1 fp
    assert per_intent["out_of_scope"]["f1"] == pytest.approx(2 / 3)
    assert per_intent["greet"]["f1"] == pytest.approx(0.5)
    assert macro == pytest.approx((2 / 3 + 0.5) / 2)


def test_entities_need_the_exact_span_and_type() -> None:
    gold = [[("size", 10, 14), ("color", 0, 5)], [("order_number", 3, 8)]]
    predicted = [[("size", 10, 14), ("color", 0, 4)], [("order_number", 3, 8), ("country", 9, 11)]]
    precision, recall, f1, per_entity = score_entities(gold, predicted)
    assert (precision, recall) == (0.5, pytest.approx(2 / 3))
    assert f1 == pytest.approx(4 / 7)
    assert per_entity["color"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}


def test_false_fallback_counts_only_in_scope_messages_sent_to_the_fallback() -> None:
    gold = ["greet", "greet", "order_status", "out_of_scope"]
    predicted = ["nlu_fallback", "greet", "out_of_scope", "nlu_fallback"]
    # one of three in-scope messages fell back; a wrong intent or a fallen-back out-of-scope
    # message is not a false fallback
    assert false_fallback_rate(gold, predicted) == pytest.approx(1 / 3)


def test_entity_scores_keep_only_the_types_a_split_annotates() -> None:
    examples = [Example("order 1043 in red", "order_status", (("order_number", 6, 10),))]
    found = (("color", 14, 17), ("order_number", 6, 10))
    predictions = [
        Prediction("order 1043 in red", "order_status", 0.9, (("order_status", 0.9),), found, 0.01)
    ]
    assert score(examples, predictions).entity_precision == 0.5
    learned_only = score(examples, predictions, entity_types=LEARNED_ENTITIES)
    assert (learned_only.entity_precision, learned_only.entity_recall) == (1.0, 1.0)
