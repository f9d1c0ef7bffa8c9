"""The demo storefront's page channel over HTTP, inside the real Rasa server."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from rasa.shared.core.domain import Domain

from core.settings import PROJECT_ROOT
from store.catalog import get_product, search_products
from store.db import make_engine, session_scope
from store.info import store_info
from store.money import format_money, format_price_range
from storefront.channels.widget_greeting import widget_greeting
from storefront.widget_auth import verify_customer_token
from tests.conftest import TEST_WIDGET_SECRET
from tests.support.chat import say
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def url(stack: Stack, path: str = "") -> str:
    return f"{stack.rasa_url}/webhooks/storefront/{path}"


def post(stack: Stack, path: str, body: Any) -> requests.Response:
    return requests.post(url(stack, path), json=body, timeout=30)


def test_the_page_and_its_scripts_are_served(stack: Stack) -> None:
    page = requests.get(url(stack), timeout=30)
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    scripts = [
        "vendor/socket.io.min.js", "assets/widget-render.js", "assets/widget.js", "assets/widget-session.js",
        "assets/store.js",
    ]  # fmt: skip
    assert [page.text.index(f'src="{script}"') for script in scripts] == sorted(
        page.text.index(f'src="{script}"') for script in scripts
    )  # in load order: the widget's parts in turn, then the page that mounts it
    vendor = requests.get(url(stack, "vendor/socket.io.min.js"), timeout=30)
    assert vendor.status_code == 200 and "Socket.IO" in vendor.text[:300]
    for name in ("widget-render.js", "widget.js", "widget-session.js", "store.js", "widget.css", "store.css"):
        assert requests.get(url(stack, f"assets/{name}"), timeout=30).status_code == 200
    for name in ("index.html", "..%2F..%2Fcredentials.yml", "widget.js.map"):
        assert requests.get(url(stack, f"assets/{name}"), timeout=30).status_code == 404


def test_products_come_from_the_store(stack: Stack, store_db_url: str) -> None:
    with session_scope(make_engine(store_db_url)) as session:
        info = store_info(session)
        hits = search_products(session, limit=10_000)
        detail = get_product(session, product=hits[0].handle)
    assert detail is not None
    catalog = requests.get(url(stack, "api/products"), timeout=30).json()
    assert catalog["store"] == {"name": info.name, "currency": info.currency}
    assert [p["handle"] for p in catalog["products"]] == [
        hit.handle for hit in sorted(hits, key=lambda hit: hit.title.lower())
    ]
    listed = next(p for p in catalog["products"] if p["handle"] == detail.handle)
    assert listed["price_from_display"] == format_money(detail.price_from, info.currency)
    shown = requests.get(url(stack, f"api/products/{detail.handle}"), timeout=30).json()
    assert (shown["title"], shown["vendor"], shown["price_from"], shown["price_display"]) == (
        detail.title, detail.vendor, f"{detail.price_from:.2f}",
        format_price_range(detail.price_from, detail.price_to, info.currency),
    )  # fmt: skip
    assert shown["variants"] == [
        {"sku": v.sku, "size": v.size, "color": v.color, "price": f"{v.price:.2f}",
         "price_display": format_money(v.price, info.currency), "available": v.available}
        for v in detail.variants
    ]  # fmt: skip


def test_the_cart_is_priced_by_the_store(stack: Stack, store_db_url: str) -> None:
    with session_scope(make_engine(store_db_url)) as session:
        currency = store_info(session).currency
        detail = get_product(session, product=search_products(session)[0].handle)
        assert detail is not None
        variants = [(v.sku, v.price) for v in detail.variants]
    (sku, price), (other, other_price) = variants[0], variants[-1]
    priced = post(
        stack, "api/cart", {"lines": [{"sku": sku, "quantity": 2}, {"sku": other}, {"sku": "NOPE"}]}
    )
    assert priced.status_code == 200, priced.text
    body = priced.json()
    assert [(line["sku"], line["quantity"], line["line_total_display"]) for line in body["lines"]] == [
        (sku, 2, format_money(price * 2, currency)),
        (other, 1, format_money(other_price, currency)),
    ]
    assert body["subtotal_display"] == format_money(price * 2 + other_price, currency)
    assert post(stack, "api/cart", {"lines": []}).json()["subtotal_display"] == format_money(0, currency)
    for bad in ({"lines": "x"}, {"lines": [{"sku": sku, "quantity": 0}]}, {"lines": [{"quantity": 1}]},
                {"lines": [{"sku": sku, "quantity": True}]}, {"lines": [{"sku": sku}] * 51}):  # fmt: skip
        assert post(stack, "api/cart", bad).status_code == 400, bad


def test_the_greeting_comes_from_the_domain_with_the_page_product(stack: Stack) -> None:
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    first = requests.get(url(stack, "api/products"), timeout=30).json()["products"][0]
    on_product = requests.get(url(stack, "api/greeting"), params={"product": first["handle"]}, timeout=30)
    assert on_product.json() == widget_greeting(domain.responses, first["title"])
    assert first["title"] in on_product.json()["text"]
    for query in ({}, {"product": "no-such-product"}):
        site = requests.get(url(stack, "api/greeting"), params=query, timeout=30)
        assert site.status_code == 200 and site.json() == widget_greeting(domain.responses, None)


def test_a_product_url_names_one_exact_handle(stack: Stack) -> None:
    first = requests.get(url(stack, "api/products"), timeout=30).json()["products"][0]
    # the store also finds products by (fuzzy) title; a page URL must name the exact handle
    for near_miss in (first["title"], first["handle"].upper(), first["handle"] + "-x", "no-such-product"):
        assert requests.get(url(stack, f"api/products/{near_miss}"), timeout=30).status_code == 404


def test_demo_sign_in_issues_tokens_for_demo_customers_only(stack: Stack) -> None:
    customers = requests.get(url(stack, "api/demo-customers"), timeout=30).json()["customers"]
    assert {"name": "Ava Shopper", "email": "ava.shopper@example.com"} in customers
    signed = post(stack, "api/sign-in", {"email": "Ava.Shopper@example.com"})
    assert signed.status_code == 200
    body = signed.json()
    assert (body["email"], body["name"], body["expires_in"]) == (
        "ava.shopper@example.com",
        "Ava Shopper",
        3600,
    )
    assert verify_customer_token(TEST_WIDGET_SECRET, body["token"]) == "ava.shopper@example.com"

    assert post(stack, "api/sign-in", {"email": "someone.else@example.com"}).status_code == 403
    assert post(stack, "api/sign-in", ["ava.shopper@example.com"]).status_code == 400
    assert requests.post(url(stack, "api/sign-in"), data=b"{", timeout=30).status_code == 415
    broken = requests.post(
        url(stack, "api/sign-in"), data=b"{", headers={"Content-Type": "application/json"}, timeout=30
    )
    assert (broken.status_code, broken.json()["code"]) == (400, "invalid_json")


def test_the_transcript_shows_widget_sessions_only(stack: Stack) -> None:
    fresh = uuid.uuid4().hex
    assert post(stack, "api/transcript", {"session_id": fresh}).json() == {
        "session_id": fresh,
        "messages": [],
    }
    widget_shaped = uuid.uuid4().hex  # a REST client naming a widget-shaped id writes into rest:<id>
    say(stack, widget_shaped, "hello")
    assert post(stack, "api/transcript", {"session_id": widget_shaped}).json()["messages"] == []
    for bad in (f"rest:{widget_shaped}", "15551234567", "whatsapp:15551234567", None, 7):
        assert post(stack, "api/transcript", {"session_id": bad}).status_code == 404
    assert post(stack, "api/transcript", "x" * 5000).status_code == 413
    assert post(stack, "api/transcript", "x").status_code == 400
