"""``POST api/cart/report``: the page's cart kept for its widget conversation, in the real Rasa server."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from sqlalchemy import select

from store.db import make_engine, session_scope
from store.models import Customer, ShopperCart, Variant
from storefront.widget_auth import issue_customer_token
from tests.conftest import TEST_WIDGET_SECRET
from tools.launcher import Stack

pytestmark = pytest.mark.integration

EMAIL = "ava.shopper@example.com"  # a demo customer of the sample store


def report(stack: Stack, body: Any) -> requests.Response:
    return requests.post(f"{stack.rasa_url}/webhooks/storefront/api/cart/report", json=body, timeout=30)


def stored(store_db_url: str, session_id: str) -> list[tuple]:
    with session_scope(make_engine(store_db_url)) as session:
        return [
            (cart.customer_id, cart.email, cart.lines, cart.checked_out_at is not None)
            for cart in session.execute(
                select(ShopperCart).where(ShopperCart.conversation_id == session_id).order_by(ShopperCart.id)
            ).scalars()
        ]


def test_a_signed_in_shoppers_cart_is_kept_and_checked_out(stack: Stack, store_db_url: str) -> None:
    with session_scope(make_engine(store_db_url)) as session:
        skus = list(session.execute(select(Variant.sku).order_by(Variant.id).limit(2)).scalars())
        customer_id = session.execute(select(Customer.id).where(Customer.email == EMAIL)).scalar_one()
    session_id = uuid.uuid4().hex
    token = issue_customer_token(TEST_WIDGET_SECRET, EMAIL)
    lines = [{"sku": skus[0], "quantity": 1}, {"sku": skus[1], "quantity": 2}]
    answer = report(stack, {"session_id": session_id, "lines": lines, "customer_token": token})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"cart": {"id": answer.json()["cart"]["id"], "lines": 2, "checked_out": False}}
    assert stored(store_db_url, session_id) == [(customer_id, EMAIL, lines, False)]

    done = report(stack, {"session_id": session_id, "lines": lines, "checked_out": True})
    assert done.status_code == 200 and done.json()["cart"]["checked_out"] is True
    assert stored(store_db_url, session_id) == [(customer_id, EMAIL, lines, True)]
    # the page empties its cart after the checkout: nothing new to keep
    assert report(stack, {"session_id": session_id, "lines": []}).json() == {"cart": None}


@pytest.mark.parametrize(
    "body, status, error",
    [
        ({"session_id": "not-a-session", "lines": []}, 400, "session_id"),
        ({"lines": []}, 400, "session_id"),
        ({"session_id": "a" * 32, "lines": [{"sku": "X", "quantity": 0}]}, 400, "lines"),
        ({"session_id": "a" * 32, "lines": "JKT-001"}, 400, "lines"),
        ({"session_id": "a" * 32, "lines": [], "checked_out": "yes"}, 400, "checked_out"),
        ({"session_id": "a" * 32, "lines": [], "customer_token": "forged.token.here"}, 401, "customer token"),
    ],
)
def test_bad_reports_are_refused_with_the_reason(
    stack: Stack, store_db_url: str, body: Any, status: int, error: str
) -> None:
    answer = report(stack, body)
    assert answer.status_code == status, answer.text
    assert error in answer.json()["error"]
    assert stored(store_db_url, "a" * 32) == []


def test_a_body_that_is_not_json_is_refused(stack: Stack) -> None:
    answer = requests.post(
        f"{stack.rasa_url}/webhooks/storefront/api/cart/report",
        data="lines=1",
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 400
