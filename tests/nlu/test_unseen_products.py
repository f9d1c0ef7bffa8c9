"""Products the training data never names are understood like any other (the catalog normaliser)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest

from storefront.nlu.vocabulary import load_catalog_terms
from tools.nlu_evaluation import Prediction, predict

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [
    ("do you have the {} in a medium", "product_stock"),
    ("what size {} should i get, i'm 5'10", "size_help"),
    ("is the {} back in stock", "product_stock"),
    ("i want to return the {} i bought", "start_return"),
]


def unseen_products(store_db_url: str) -> List[str]:
    """Catalog titles none of whose words occur anywhere in data/nlu."""
    training_text = " ".join(p.read_text().lower() for p in (ROOT / "data" / "nlu").glob("*.yml"))
    titles = sorted(load_catalog_terms(store_db_url).products)
    return [t for t in titles if not any(word in training_text for word in t.lower().split())]


@pytest.fixture(scope="module")
def products(store_db_url: str) -> List[str]:
    found = unseen_products(store_db_url)[:5]
    assert len(found) == 5, "the sample catalog should have products the training data never names"
    return found


@pytest.fixture(scope="module")
def parsed(trained_model: Path, products: List[str]) -> Dict[str, Prediction]:
    """Every template filled with every unseen product, parsed in one go."""
    texts = [template.format(title) for template, _ in TEMPLATES for title in products]
    return {p.text: p for p in predict(trained_model, texts)}


def test_messages_about_unseen_products_get_the_right_intent(
    parsed: Dict[str, Prediction], products: List[str]
) -> None:
    wrong = [
        (template.format(title), parsed[template.format(title)].intent)
        for template, intent in TEMPLATES
        for title in products
        if parsed[template.format(title)].intent != intent
    ]
    assert wrong == []


# The count vectors see every product as __product__, but the sentence encoder reads the shopper's
# raw text, product name included (storefront/nlu/sentence_encoder.py): the confidence moves with
# the name, never towards the fallback (threshold 0.4, config.yml). A name made of a need word
# moves it most: "do you have the Lightweight Softshell in a medium" is 0.65 sure of a stock
# question (0.29 a search, as "a lightweight jacket" would be) where other names get 0.89-0.94.
# Next step (not done): let the encoder read catalog names as a placeholder too.
MAX_CONFIDENCE_SPREAD = 0.35
MIN_CONFIDENCE = 0.6


def test_the_product_name_barely_changes_the_intent_confidence(
    parsed: Dict[str, Prediction], products: List[str]
) -> None:
    for template, _ in TEMPLATES:
        confidences = [parsed[template.format(title)].confidence for title in products]
        assert max(confidences) - min(confidences) <= MAX_CONFIDENCE_SPREAD, (template, confidences)
        assert min(confidences) >= MIN_CONFIDENCE, (template, confidences)
