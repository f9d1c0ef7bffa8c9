"""The browser's cart priced from the catalog (the storefront page shows these prices)."""

from __future__ import annotations

from sqlalchemy import select

from store.cart import price_cart
from store.discounts import CartLine
from store.models import Variant


def test_lines_are_priced_at_the_catalog_price_and_unknown_skus_dropped(session):
    first, second = session.execute(select(Variant).order_by(Variant.id).limit(2)).scalars()
    cart = price_cart(
        session,
        lines=[
            CartLine(
                sku=first.sku.lower(), quantity=2, price=first.price + 100
            ),  # the client's price is ignored
            CartLine(sku="NO-SUCH-SKU", quantity=1),
            CartLine(sku=second.sku, quantity=1),
        ],
    )
    assert [(line.sku, line.quantity, line.unit_price, line.line_total) for line in cart.lines] == [
        (first.sku, 2, first.price, first.price * 2),
        (second.sku, 1, second.price, second.price),
    ]
    assert cart.lines[0].title == first.product.title and cart.lines[0].size == first.size
    assert cart.subtotal == first.price * 2 + second.price


def test_an_empty_cart_costs_nothing(session):
    cart = price_cart(session, lines=[])
    assert cart.lines == () and cart.subtotal == 0
