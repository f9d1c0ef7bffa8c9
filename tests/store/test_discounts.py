"""Discount codes: each reason a code does not apply, and the amount when it does."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from store.discounts import CartLine, check_discount
from store.models import Category, Product, Variant
from tests.store.conftest import NOW


def _sku(session, category: str, *, final_sale: bool = False) -> str:
    return session.execute(
        select(Variant.sku)
        .join(Product)
        .join(Category)
        .where(Category.name == category, Product.final_sale.is_(final_sale))
        .order_by(Variant.id)
        .limit(1)
    ).scalar_one()


def test_one_cent_below_minimum_spend(session):
    tee = _sku(session, "Tops & Tees")
    check = check_discount(session, code="welcome10", cart=[CartLine(tee, 1, Decimal("49.99"))], now=NOW)
    assert (check.applies, check.reason, check.missing_spend) == (False, "min_spend", Decimal("0.01"))
    assert check.what_would_work.min_spend == Decimal("50.00")
    exact = check_discount(session, code="WELCOME10", cart=[CartLine(tee, 1, Decimal("50.00"))], now=NOW)
    assert (exact.applies, exact.reason, exact.amount) == (True, None, Decimal("5.00"))


def test_fixed_amount_and_quantity(session):
    jacket = _sku(session, "Jackets & Coats")
    check = check_discount(session, code="TAKE15", cart=[CartLine(jacket, 2, Decimal("40.00"))], now=NOW)
    assert (check.applies, check.amount) == (True, Decimal("15.00"))


@pytest.mark.parametrize(
    "code,reason",
    [("SUMMER20", "expired"), ("EARLYACCESS", "not_started"), ("VIP50", "usage_limit"), ("NOPE", "unknown")],
)
def test_code_state(session, code, reason):
    cart = [CartLine(_sku(session, "Jackets & Coats"), 1, Decimal("300.00"))]
    check = check_discount(session, code=code, cart=cart, now=NOW)
    assert (check.applies, check.reason, check.amount) == (False, reason, Decimal("0.00"))


def test_validity_edges_use_the_given_now(session):
    cart = [CartLine(_sku(session, "Jackets & Coats"), 1, Decimal("100.00"))]
    check = check_discount(session, code="EARLYACCESS", cart=cart, now=NOW + timedelta(days=8))
    assert check.applies and check.amount == Decimal("15.00")


def test_category_restrictions_and_final_sale(session):
    tee, boot = _sku(session, "Tops & Tees"), _sku(session, "Boots")
    only_boots = check_discount(session, code="BOOTS20", cart=[CartLine(tee, 1)], now=NOW)
    assert (only_boots.reason, only_boots.what_would_work.categories) == ("excluded_items", ("Boots",))
    mixed = check_discount(
        session, code="BOOTS20", cart=[CartLine(tee, 1), CartLine(boot, 1, Decimal("100.00"))], now=NOW
    )
    assert (mixed.applies, mixed.amount, mixed.what_would_work.eligible_skus) == (
        True,
        Decimal("20.00"),
        (boot,),
    )
    swim = _sku(session, "Swimwear", final_sale=True)
    assert (
        check_discount(session, code="WELCOME10", cart=[CartLine(swim, 3, Decimal("40.00"))], now=NOW).reason
        == "excluded_items"
    )
    bag = _sku(session, "Accessories")
    spring = check_discount(session, code="SPRING25", cart=[CartLine(bag, 1, Decimal("150.00"))], now=NOW)
    assert spring.reason == "excluded_items"
