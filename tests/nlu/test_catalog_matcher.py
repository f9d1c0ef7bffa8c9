"""The catalog matcher finds the sample store's products, categories, colors and sizes."""

from __future__ import annotations

from typing import List, Tuple

import pytest
from sqlalchemy import text

from storefront.nlu.matcher import CatalogMatcher
from storefront.nlu.vocabulary import CatalogTerms, CatalogUnavailableError, load_catalog_terms


@pytest.fixture(scope="module")
def terms(store_db_url: str) -> CatalogTerms:
    return load_catalog_terms(store_db_url)


@pytest.fixture(scope="module")
def matcher(terms: CatalogTerms) -> CatalogMatcher:
    return CatalogMatcher(terms)


def entities(matcher: CatalogMatcher, message: str) -> List[Tuple[str, str, str]]:
    return [(f.entity, f.text, f.value) for f in matcher.find(message)]


def test_vocabulary_comes_from_the_store(terms: CatalogTerms) -> None:
    assert "Fleece Hoodie" in terms.products
    assert "Sneakers" in terms.categories
    assert "Heather Grey" in terms.colors
    assert "US 9.5" in terms.sizes
    assert terms.groups["hoodie"] == ["Chunky Knit Hoodie", "Fleece Hoodie", "Zip Hoodie"]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("is the fleece hoodie in stock", [("product", "fleece hoodie", "Fleece Hoodie")]),
        ("Is The FLEECE HOODIE in stock", [("product", "FLEECE HOODIE", "Fleece Hoodie")]),
        ("do you have chelsea boots", [("product", "chelsea boots", "Chelsea Boot")]),
        (
            "two Court Classic Sneakers please",
            [("product", "Court Classic Sneakers", "Court Classic Sneaker")],
        ),
        ("show me sneakers", [("category", "sneakers", "Sneakers")]),
        ("any scarves?", [("product", "scarves", "scarf")]),  # irregular plural, from the lemma table
        ("any Dresses?", [("category", "Dresses", "Dresses & Skirts")]),
        ("do you sell trainers", [("category", "trainers", "Sneakers")]),
        ("a new t-shirt", [("category", "t-shirt", "Tops & Tees")]),
        ("got it in navy blue", [("color", "navy blue", "Navy")]),
        ("heather grey or gray", [("color", "heather grey", "Heather Grey"), ("color", "gray", "Grey")]),
        ("show me green dresses", [("color", "green", "Green"), ("category", "dresses", "Dresses & Skirts")]),
    ],
)
def test_catalog_phrases_match_regardless_of_case_and_number(
    matcher: CatalogMatcher, message: str, expected: List[Tuple[str, str, str]]
) -> None:
    assert entities(matcher, message) == expected


def test_a_noun_several_products_share_is_a_product_group(matcher: CatalogMatcher) -> None:
    (found,) = matcher.find("any hoodies left")
    assert (found.entity, found.text, found.value) == ("product", "hoodies", "hoodie")
    assert found.additional_info == {"candidates": ["Chunky Knit Hoodie", "Fleece Hoodie", "Zip Hoodie"]}


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("10.5", [("size", "10.5", "10.5")]),
        ("do you have it in 10.5", [("size", "10.5", "10.5")]),
        ("UK 8", [("size", "UK 8", "UK 8")]),
        ("uk8 please", [("size", "uk8", "UK 8")]),
        ("EU 42", [("size", "EU 42", "EU 42")]),
        ("us 9.5", [("size", "us 9.5", "US 9.5")]),
        ("XL", [("size", "XL", "XL")]),
        ("in xxl", [("size", "xxl", "XXL")]),
        ("size m", [("size", "m", "M")]),
        ("medium or large?", [("size", "medium", "M"), ("size", "large", "L")]),
        ("extra large", [("size", "extra large", "XL")]),
        ("I'm usually a 10", [("size", "10", "10")]),
        ("the chinos in 32", [("product", "chinos", "chinos"), ("size", "32", "32")]),
    ],
)
def test_sizes(matcher: CatalogMatcher, message: str, expected: List[Tuple[str, str, str]]) -> None:
    assert entities(matcher, message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "a large order",  # an adjective, not a size
        "it runs small",  # fit, not a size
        "arrives in 2 days",
        "order 1001",
        "$10.5 off",
        "do you ship to the US",
    ],
)
def test_words_that_only_look_like_sizes_are_ignored(matcher: CatalogMatcher, message: str) -> None:
    assert [e for e in entities(matcher, message) if e[0] == "size"] == []


def test_measurements_win_over_sizes(matcher: CatalogMatcher) -> None:
    assert entities(matcher, "32 waist, 5'10\"") == [
        ("waist", "32", "81.3 cm"),
        ("height", "5'10\"", "177.8 cm"),
    ]


def test_a_store_without_products_fails_with_the_command_that_loads_one(tmp_path) -> None:
    from store.db import make_engine
    from store.schema import migrate

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    with pytest.raises(CatalogUnavailableError, match=r"no active products.*python -m store load-sample"):
        load_catalog_terms(url)


def test_a_store_without_tables_fails_with_the_command_that_loads_one(tmp_path) -> None:
    from store.db import make_engine

    url = f"sqlite:///{tmp_path / 'blank.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE unrelated (id INTEGER)"))
    engine.dispose()
    with pytest.raises(
        CatalogUnavailableError, match=r"Cannot read the store catalog.*python -m store load-sample"
    ):
        load_catalog_terms(url)


def test_a_plain_plural_belongs_to_its_own_singular() -> None:
    from storefront.nlu.matcher import build_lemma_map

    # "hoodies" is both "hoodie" + s and "hoody" -> ies; the plain plural wins, whatever the order.
    for phrases in (["hoody", "hoodie"], ["hoodie", "hoody"]):
        lemma_map = build_lemma_map(phrases)
        assert lemma_map["hoodies"] == lemma_map["hoodie"]
