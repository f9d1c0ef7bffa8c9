"""Order look-up only with a matching contact, order status, timeline, cancel and address change."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from store.orders import (
    Address,
    cancel_order,
    change_shipping_address,
    find_order,
    order_timeline,
    orders_for_contact,
)
from tests.store.conftest import NOW

AVA = "ava.shopper@example.com"


@pytest.mark.parametrize("number", ["#1001", "1001", " 1001 ", "# 1001", "order 1001"])
def test_order_number_forms_all_match(session, number):
    order = find_order(session, order_number=number, contact=AVA, now=NOW)
    assert order is not None and order.number == 1001


@pytest.mark.parametrize(
    "contact",
    [
        "ava.shopper@example.com",
        " AVA.Shopper@Example.COM ",
        "+1 415 555 0101",
        "(415) 555-0101",
        "14155550101",
        "001 415 555 0101",
    ],
)
def test_contact_forms_all_match(session, contact):
    assert find_order(session, order_number="1001", contact=contact, now=NOW).name == "#1001"


def test_unknown_number_and_wrong_contact_are_indistinguishable(session):
    wrong_contact = find_order(session, order_number="1001", contact="ben.buyer@example.com", now=NOW)
    unknown_number = find_order(session, order_number="999999", contact=AVA, now=NOW)
    wrong_phone = find_order(session, order_number="1001", contact="+1 212 555 0102", now=NOW)
    assert wrong_contact is None and unknown_number is None and wrong_phone is None
    assert find_order(session, order_number="1001", contact="", now=NOW) is None
    assert find_order(session, order_number="not a number", contact=AVA, now=NOW) is None


@pytest.mark.parametrize("contact", ["0101", "5550101", "55550101", "+44 415 555 0101", "+1 415 555 0109"])
def test_a_phone_suffix_or_a_foreign_number_never_verifies(session, contact):
    assert find_order(session, order_number="1001", contact=contact, now=NOW) is None


@pytest.mark.parametrize("contact", ["+44 7700 900123", "447700900123", "0044 7700 900123"])
def test_a_foreign_shoppers_number_verifies_in_international_forms(session, contact):
    assert find_order(session, order_number="1011", contact=contact, now=NOW).number == 1011


@pytest.mark.parametrize(
    "number,contact,status",
    [
        (1001, AVA, "in_transit"),
        (1002, AVA, "delivered"),
        (1003, "ben.buyer@example.com", "unfulfilled"),
        (1004, "chloe.customer@example.com", "partially_fulfilled"),
        (1005, "dev.delayed@example.com", "delayed"),
        (1007, "finn.cancel@example.com", "cancelled"),
        (1008, "gia.returned@example.com", "returned"),
        (1011, "ivy.intl@example.co.uk", "in_transit"),
    ],
)
def test_demo_orders_have_their_documented_status(session, number, contact, status):
    assert find_order(session, order_number=str(number), contact=contact, now=NOW).status == status


def test_in_transit_becomes_delayed_once_the_estimate_passes(session):
    order = find_order(session, order_number="1001", contact=AVA, now=NOW)
    eta = order.fulfillments[0].estimated_delivery
    assert eta == (NOW.date() + timedelta(days=2))
    later = find_order(session, order_number="1001", contact=AVA, now=NOW + timedelta(days=3))
    assert later.status == "delayed"


def test_order_view_details(session):
    order = find_order(session, order_number="1004", contact="chloe.customer@example.com", now=NOW)
    assert [(i.title.split(" - ")[0], i.quantity, i.fulfilled) for i in order.items] == [
        ("Linen Wrap Dress", 1, 1),
        ("Chelsea Boot", 1, 0),
    ]
    assert order.fulfillments[0].carrier == "USPS"
    assert order.fulfillments[0].tracking_url.endswith(order.fulfillments[0].tracking_number)
    assert order.placed_at.tzinfo is not None
    assert order.is_high_value == (order.total >= Decimal("250.00"))
    assert find_order(
        session, order_number="1009", contact="hugo.highvalue@example.com", now=NOW
    ).is_high_value
    assert not find_order(session, order_number="1010", contact=AVA, now=NOW).is_high_value


def test_orders_for_contact_newest_first(session):
    by_email = orders_for_contact(session, email=AVA, now=NOW)
    by_phone = orders_for_contact(session, phone="415-555-0101", now=NOW)
    assert [o.number for o in by_email] == [1001, 1002, 1010]
    assert by_phone == by_email
    assert orders_for_contact(session, email=AVA, limit=1, now=NOW)[0].number == 1001
    assert orders_for_contact(session, email="nobody@example.com", now=NOW) == []


def test_timeline_of_a_delivered_order(session):
    kinds = [e.kind for e in order_timeline(session, order_number="1002", now=NOW)]
    assert kinds == ["placed", "shipped", "delivered"]
    delayed = order_timeline(session, order_number="#1005", now=NOW)
    assert [e.kind for e in delayed] == ["placed", "shipped", "delayed"]
    returned = order_timeline(session, order_number="1008", now=NOW)
    assert [e.kind for e in returned][-1] == "return_requested"
    assert returned[-1].details["rma"] == "RMA-1008-1"


def test_cancel_unfulfilled_order_restocks(session):
    before = find_order(session, order_number="1003", contact="ben.buyer@example.com", now=NOW)
    from sqlalchemy import select

    from store.models import Variant

    sku = before.items[0].sku
    stock = session.execute(select(Variant.inventory_quantity).where(Variant.sku == sku)).scalar_one()
    result = cancel_order(session, order_number="1003", contact="ben.buyer@example.com", now=NOW)
    assert result.ok and result.reason is None and result.order.status == "cancelled"
    assert result.order.financial_status == "refunded"
    assert (
        session.execute(select(Variant.inventory_quantity).where(Variant.sku == sku)).scalar_one()
        == stock + 1
    )
    again = cancel_order(session, order_number="1003", contact="ben.buyer@example.com", now=NOW)
    assert (again.ok, again.reason) == (False, "already_cancelled")


@pytest.mark.parametrize(
    "number,contact,reason",
    [
        ("1001", AVA, "already_fulfilled"),
        ("1004", "chloe.customer@example.com", "partially_fulfilled"),
        ("1007", "finn.cancel@example.com", "already_cancelled"),
        ("1003", AVA, "not_found"),
    ],
)
def test_cancel_refused(session, number, contact, reason):
    result = cancel_order(session, order_number=number, contact=contact, now=NOW)
    assert (result.ok, result.reason) == (False, reason)


def test_change_address_of_unfulfilled_order(session):
    new = Address(address1="9 Hudson St", city="New York", postal_code="10013", country="us", region="NY")
    result = change_shipping_address(
        session, order_number="1003", contact="+1 212 555 0102", address=new, now=NOW
    )
    assert result.ok
    assert result.order.shipping_address.address1 == "9 Hudson St"
    assert result.order.shipping_address.country == "US"
    assert result.order.shipping_address.name == "Ben Buyer"


@pytest.mark.parametrize(
    "number,contact,address,reason",
    [
        (
            "1003",
            "ben.buyer@example.com",
            Address("1 Rue", "Paris", "75001", "FR"),
            "country_change_not_allowed",
        ),
        ("1003", "ben.buyer@example.com", Address("", "New York", "10013", "US"), "invalid_address"),
        ("1001", AVA, Address("1 Main St", "Oakland", "94607", "US"), "already_fulfilled"),
        ("1003", AVA, Address("1 Main St", "Oakland", "94607", "US"), "not_found"),
    ],
)
def test_change_address_refused(session, number, contact, address, reason):
    result = change_shipping_address(session, order_number=number, contact=contact, address=address, now=NOW)
    assert (result.ok, result.reason) == (False, reason)
