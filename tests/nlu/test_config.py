"""config.yml keeps what was chosen on data: the fallback thresholds of the sweep record."""

from __future__ import annotations

import json
from pathlib import Path

from rasa.shared.utils.io import read_yaml_file

ROOT = Path(__file__).resolve().parents[2]


def _pipeline() -> list:
    return read_yaml_file(str(ROOT / "config.yml"))["pipeline"]


def test_fallback_thresholds_are_the_ones_the_sweep_chose() -> None:
    best = json.loads((ROOT / "configs" / "fallback_sweep.json").read_text(encoding="utf-8"))["best"]
    (fallback,) = [c for c in _pipeline() if c["name"] == "FallbackClassifier"]
    assert (fallback["threshold"], fallback["ambiguity_threshold"]) == (
        best["threshold"],
        best["ambiguity_threshold"],
    )


def test_catalog_extractor_runs_before_the_synonym_mapper() -> None:
    names = [c["name"] for c in _pipeline()]
    catalog = names.index("storefront.nlu.catalog_extractor.CatalogEntityExtractor")
    assert catalog < names.index("EntitySynonymMapper")


def test_catalog_normalizer_runs_between_the_tokenizer_and_the_count_vectors() -> None:
    names = [c["name"] for c in _pipeline()]
    normalizer = names.index("storefront.nlu.catalog_normalizer.CatalogTermNormalizer")
    assert names.index("WhitespaceTokenizer") < normalizer
    count_vectors = [i for i, name in enumerate(names) if name.endswith("CountVectorsFeaturizer")]
    assert len(count_vectors) == 2
    assert all(normalizer < i for i in count_vectors)


def test_spelling_normalizer_runs_before_the_placeholder_normalizers() -> None:
    """The catalog and destination placeholders must overwrite a corrected lemma, not the reverse."""
    names = [c["name"] for c in _pipeline()]
    spelling = names.index("storefront.nlu.spelling_normalizer.SpellingNormalizer")
    assert names.index("WhitespaceTokenizer") < spelling
    assert spelling < names.index("storefront.nlu.destination_normalizer.DestinationNormalizer")
    assert spelling < names.index("storefront.nlu.catalog_normalizer.CatalogTermNormalizer")
