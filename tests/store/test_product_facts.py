"""Product detail questions read against store/product_questions.yaml and answered from the
product's own data: metafields, attribute tags, description sentences, variant weights."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from store.models import Product, Variant
from store.product_facts import (
    DESCRIPTION,
    METAFIELD,
    TAG,
    WEIGHT,
    asked_attribute,
    attribute_named,
    fact_of,
    product_fact,
)


@pytest.mark.parametrize(
    ("text", "attribute"),
    [
        ("is the hoodie machine washable", "care"),
        ("how do I wash the cashmere scarf", "care"),
        ("what are the dimensions of the tote bag", "dimensions"),
        ("where are your products made", "origin"),
        ("are your clothes ethically made", "origin"),
        ("what material is the rain shell", "material"),
        ("is this jacket waterproof", "waterproof"),
        ("how heavy is the duffle", "weight"),
        ("what comes with the socks pack", "included"),
        ("does the chelsea boot have a warranty?", "warranty"),
        ("is there a guarantee on the parka", "warranty"),
    ],
)
def test_the_question_names_the_attribute(text: str, attribute: str) -> None:
    found = asked_attribute(text)
    assert found is not None and found.name == attribute


@pytest.mark.parametrize("text", ["do you sell hoodies", "show me jackets under 100", "hi", ""])
def test_a_search_or_a_greeting_asks_about_no_attribute(text: str) -> None:
    assert asked_attribute(text) is None


def _product(session, handle: str) -> Product:
    return session.execute(select(Product).where(Product.handle == handle)).scalar_one()


def _metafield(product: Product, key: str) -> str:
    return next(t.split(":", 1)[1] for t in product.tags if t.startswith(f"{key}:"))


def test_material_comes_from_the_material_metafield(session) -> None:
    shell = _product(session, "harbor-rain-shell")
    fact = product_fact(session, product="rain shell", attribute="material")
    assert fact is not None and fact.title == shell.title
    assert fact.source == METAFIELD and fact.values == (_metafield(shell, "material"),)


def test_water_resistance_comes_from_the_attribute_tags(session) -> None:
    for product in session.execute(select(Product).where(Product.status == "active")).scalars():
        fact = fact_of(product, attribute_named("waterproof"))
        tags = {t.lower() for t in product.tags}
        if "waterproof" in tags:
            assert fact.source == TAG and "waterproof" in fact.values
        elif "water-resistant" in tags:
            assert fact.source == TAG and fact.values == ("water-resistant",)
        elif fact.source is not None:
            assert fact.source == DESCRIPTION and all(v in product.description for v in fact.values)


def test_a_description_sentence_answers_when_no_metafield_does(session) -> None:
    puffer = _product(session, "alpine-down-puffer")
    fact = fact_of(puffer, attribute_named("origin"))
    assert fact.source == DESCRIPTION
    assert len(fact.values) == 1 and fact.values[0] in puffer.description and "sourced" in fact.values[0]


def test_a_fact_the_store_has_not_listed_is_unknown(session) -> None:
    scarf = _product(session, "wool-scarf")
    fact = fact_of(scarf, attribute_named("care"))
    assert fact.source is None and fact.values == () and fact.label


def test_weight_is_the_variants_shipping_weights(session) -> None:
    duffle = _product(session, "weekender-duffle")
    grams = sorted(v.grams for v in duffle.variants if v.grams)
    fact = fact_of(duffle, attribute_named("weight"))
    assert fact.source == WEIGHT and fact.grams == (grams[0], grams[-1])


def test_a_store_defined_metafield_answers_care_and_fit_tags_read_as_words() -> None:
    product = Product(
        handle="test-tee",
        title="Test Tee",
        description="<p>A tee.</p>",
        tags=["tops", "care:machine wash cold, tumble dry low", "fit:runs-small"],
        status="active",
        variants=[Variant(sku="T-1", price=Decimal("10.00"), grams=200)],
    )
    care = fact_of(product, attribute_named("care"))
    assert care.source == METAFIELD and care.values == ("machine wash cold, tumble dry low",)
    fit = fact_of(product, attribute_named("fit"))
    assert fit.source == METAFIELD and fit.values == ("runs small",)


def test_an_unknown_product_has_no_facts(session) -> None:
    assert product_fact(session, product="spaceship", attribute="material") is None
    assert product_fact(session, product="harbor-rain-shell", attribute="colour of the moon") is None
