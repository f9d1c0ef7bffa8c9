"""Complete the look on the sample store: pairs learned from its order history, not listed anywhere.

The sample's history holds orders built from a few outfits (``looks`` in the sample catalog) among
520 random baskets; the rules must find those pairs and nothing from the random noise.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from store.bundles import MIN_ORDERS_TOGETHER, bought_together, complete_the_look, with_a_look
from store.models import Customer, LineItem, Order, Product
from store.sample.catalog import catalog_looks
from tests.store.conftest import NOW


def _product(session, title: str) -> Product:
    return session.execute(select(Product).where(Product.title == title)).scalar_one()


def test_the_outfits_of_the_history_come_back_as_companions(session):
    for look in catalog_looks():
        companions = complete_the_look(session, product=look[0]).companions
        assert {c.title for c in companions} & set(look[1:]), (look, [c.title for c in companions])


def test_random_baskets_give_no_companion(session):
    in_a_look = {title for look in catalog_looks() for title in look}
    lonely = session.execute(
        select(Product).where(Product.title.not_in(in_a_look), Product.status == "active").limit(5)
    ).scalars()
    for product in lonely:
        assert complete_the_look(session, product=product.handle).companions == [], product.title


def test_companions_are_ranked_by_confidence_and_are_in_stock(session):
    look = complete_the_look(session, product="Harbor Rain Shell")
    assert look.title == "Harbor Rain Shell"
    confidences = [c.confidence for c in look.companions]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0 < c <= 1 for c in confidences)
    assert all(c.orders_together >= MIN_ORDERS_TOGETHER for c in look.companions)
    socks = _product(session, look.companions[0].title)
    offered = next(v for v in socks.variants if v.sku == look.companions[0].variant_sku)
    assert offered.inventory_quantity > 0


def test_a_sold_out_companion_is_not_offered(session):
    first = complete_the_look(session, product="Harbor Rain Shell").companions[0]
    for variant in _product(session, first.title).variants:
        variant.inventory_quantity = 0
    session.flush()
    assert first.title not in {
        c.title for c in complete_the_look(session, product="Harbor Rain Shell").companions
    }


def test_new_orders_move_the_pairs_at_once(session):
    cap = _product(session, "Baseball Cap")
    tote = _product(session, "Canvas Tote Bag")
    _, pairs = bought_together(session)
    before = pairs[frozenset((cap.id, tote.id))]
    customer = session.execute(select(Customer).limit(1)).scalar_one()
    for n in range(MIN_ORDERS_TOGETHER):
        order = Order(number=90000 + n, name=f"#{90000 + n}", customer_id=customer.id,
                      placed_at=NOW - timedelta(days=n), currency="USD")  # fmt: skip
        for product in (cap, tote):
            variant = product.variants[0]
            order.line_items.append(LineItem(sku=variant.sku, variant_id=variant.id, title=product.title,
                                             quantity=1, price=Decimal("10.00")))  # fmt: skip
        session.add(order)
    session.flush()
    assert bought_together(session)[1][frozenset((cap.id, tote.id))] == before + MIN_ORDERS_TOGETHER
    assert "Canvas Tote Bag" in {
        c.title for c in complete_the_look(session, product="Baseball Cap").companions
    }


def test_an_unknown_product_has_no_look(session):
    assert complete_the_look(session, product="a spaceship with wings") is None


def test_only_products_with_a_look_get_a_look_button(session):
    handles = ["hooded-rain-parka", "harbor-rain-shell", "runner-one", "varsity-jacket"]
    assert with_a_look(session, handles=handles) == ["harbor-rain-shell", "runner-one"]
