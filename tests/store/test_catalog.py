"""Catalog search, product look-up, stock with alternatives, and the NLU vocabulary."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from store.catalog import get_product, search_products
from store.models import Product, Variant
from store.products import _closest_title, closest_title, resolve_product
from store.stock import variant_stock
from store.vocabulary import catalog_vocabulary


def test_search_by_text_matches_title_words(session):
    hits = search_products(session, text="rain jacket", limit=10)
    assert [h.title for h in hits][:2] == ["Harbor Rain Shell", "Hooded Rain Parka"]


def test_search_filters(session):
    hits = search_products(session, category="boots", size="10.5", max_price=Decimal("150"), limit=50)
    assert hits and all(
        h.category == "Boots" and h.price_from <= 150 and "US 10.5" in h.sizes_in_stock for h in hits
    )
    navy = search_products(session, text="tee", color="navy", limit=50)
    assert navy and all("Navy" in h.colors for h in navy)
    assert search_products(session, text="spaceship") == []
    tops = search_products(session, category="Tops & Tees", limit=50)
    dear = search_products(session, category="Tops & Tees", min_price=Decimal("60"), limit=50)
    wanted = sorted(h.handle for h in tops if h.price_from >= 60)
    assert wanted and len(wanted) < len(tops)  # the price floor keeps some tops and drops others
    assert sorted(h.handle for h in dear) == wanted


def test_get_product_by_handle_title_and_fuzzy(session):
    assert get_product(session, product="harbor-rain-shell").title == "Harbor Rain Shell"
    assert get_product(session, product="HARBOR RAIN SHELL").handle == "harbor-rain-shell"
    assert get_product(session, product="harbour rain shel").handle == "harbor-rain-shell"
    assert get_product(session, product="selvedge jeans").title == "Slim Fit Selvedge Jeans"
    assert get_product(session, product="qwertyuiop") is None


def test_a_kept_title_answer_is_the_answer_for_the_same_titles_only():
    titles = [(1, "Harbor Rain Shell"), (2, "Zip Hoodie"), (3, "Fleece Hoodie")]
    for wanted in ["harbour rain shel", "hoodie", "zip hoodie", "qwertyuiop", "harbour rain shel"]:
        assert closest_title(titles, wanted) == _closest_title(titles, wanted)
    same_title_new_id = [(7, "Harbor Rain Shell"), *titles[1:]]
    assert closest_title(same_title_new_id, "harbour rain shel") == 7
    assert closest_title([(1, "Storm Poncho"), *titles[1:]], "harbour rain shel") is None  # renamed
    assert closest_title(titles, "harbour rain shel") == 1


def test_a_product_is_resolved_from_the_catalog_as_it_is_now(session):
    assert resolve_product(session, "harbour rain shel").handle == "harbor-rain-shell"
    shell = session.execute(select(Product).where(Product.handle == "harbor-rain-shell")).scalar_one()
    shell.title = "Storm Poncho"
    session.flush()
    assert resolve_product(session, "storm ponch").handle == "harbor-rain-shell"
    assert resolve_product(session, "harbour rain shel") is None
    shell.title = "Harbor Rain Shell"
    session.flush()
    assert resolve_product(session, "harbour rain shel").handle == "harbor-rain-shell"


def test_stock_of_a_sold_out_variant_offers_alternatives(session):
    variant = (
        session.execute(
            select(Variant)
            .join(Product)
            .where(Variant.inventory_quantity == 0, Product.title == "Harbor Rain Shell")
            .order_by(Variant.id)
            .limit(1)
        ).scalar_one_or_none()
        or session.execute(
            select(Variant).where(Variant.inventory_quantity == 0).order_by(Variant.id).limit(1)
        ).scalar_one()
    )
    answer = variant_stock(session, product=variant.product.handle, size=variant.size, color=variant.color)
    assert (answer.in_stock, answer.sold_out_reason) == (False, "out_of_stock")
    assert [v.sku for v in answer.variants] == [variant.sku]
    assert answer.alternatives and all(a.quantity > 0 for a in answer.alternatives)
    assert answer.alternatives[0].kind in ("other_size", "other_color")


def test_stock_answers(session):
    ok = variant_stock(session, product="Court Classic Sneaker", size="EU 43")
    assert all(v.size == "US 9.5" for v in ok.variants) and ok.variants
    assert variant_stock(session, product="Harbor Rain Shell", size="XXXL").sold_out_reason == "not_offered"
    assert variant_stock(session, product="unicorn onesie").sold_out_reason == "unknown_product"


def test_vocabulary_comes_from_the_catalog(session):
    vocab = catalog_vocabulary(session)
    titles = {p.title for p in vocab.products}
    assert len(titles) == 174 and "Harbor Rain Shell" in titles
    assert len(vocab.categories) == 11 and "Boots" in vocab.categories
    assert "boot" in vocab.category_terms["Boots"]
    assert {"Navy", "Indigo", "Heather Grey"} <= set(vocab.colors)
    assert {"M", "XL", "32", "US 9.5", "EU 43", "UK 8.5", "One Size"} <= set(vocab.sizes)
    assert {"Trailmark", "Ridgeline", "Northwind"} <= set(vocab.brands)
    shell = next(p for p in vocab.products if p.handle == "harbor-rain-shell")
    assert shell.short_names == ("rain shell",)


def _similar_by_orm(session, found, size, color):
    """The similar products as the ORM objects give them: the reference for the row query."""
    from store.sizes import colors_equal, sizes_equal

    similar = session.execute(
        select(Product)
        .where(Product.category_id == found.category_id, Product.id != found.id, Product.status == "active")
        .order_by(Product.id)
    ).scalars()
    picked = []
    for other in similar:
        for v in other.variants:  # by position
            if (
                v.inventory_quantity > 0
                and (not size or sizes_equal(v.size, size))
                and (not color or colors_equal(v.color, color))
            ):
                picked.append((other.handle, v.sku))
                break
    return picked


def test_similar_products_read_as_rows_match_the_orm_objects(session):
    # every sold-out or unoffered ask of a sample product (its sizes and colors, and some it lacks)
    checked = 0
    products = session.execute(select(Product).order_by(Product.id).limit(40)).scalars().all()
    for product in products:
        # sizes it has and lacks; colors of its whole category (some it lacks, so that several
        # sizes of another product can match and their order matters)
        sizes = [*sorted({v.size for v in product.variants if v.size})[:2], "XXXL", None]
        category_colors = session.execute(
            select(Variant.color).join(Product).where(Product.category_id == product.category_id).distinct()
        ).scalars()
        colors = [*sorted(c for c in category_colors if c)[:6], "Chartreuse", None]
        for size in sizes:
            for color in colors:
                answer = variant_stock(session, product=product.handle, size=size, color=color)
                if answer.in_stock:
                    continue
                found = resolve_product(session, product.handle)
                similar = [(a.handle, a.sku) for a in answer.alternatives if a.kind == "similar_product"]
                others = [a for a in answer.alternatives if a.kind != "similar_product"]
                expected = _similar_by_orm(session, found, size, color)[: 5 - len(others)]
                assert similar == expected, (product.handle, size, color)
                checked += 1
    assert checked > 20


@pytest.mark.parametrize(
    ("asked", "size", "color"),
    [
        ("Harbor Rain Shell", "XL", "Black"),
        ("harbor-rain-shell", None, None),
        ("black hoodie", "M", None),
        ("Court Classic Sneaker", "EU 43", None),
        ("unicorn onesie", None, None),
    ],
)
def test_a_stock_question_resolves_its_product_once_and_answers_as_the_two_lookups(
    session, monkeypatch, asked, size, color
):
    import actions.catalog

    resolved = []

    def counting(db, product):
        resolved.append(product)
        return resolve_product(db, product)

    monkeypatch.setattr(actions.catalog, "resolve_product", counting)
    facts = actions.catalog.stock_facts(session, product=asked, size=size, color=color)
    assert resolved == [asked]
    assert facts.answer == variant_stock(session, product=asked, size=size, color=color)
    assert facts.detail == get_product(session, product=asked)
