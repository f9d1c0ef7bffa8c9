"""Add-to-cart links: signed redirect URLs that carry Shopify's cart permalink, and their clicks."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from store.cart_links import (
    REDIRECT_PATH,
    CartLink,
    CartLinkError,
    cart_permalink,
    clicks_in,
    read_link,
    record_click,
    signed_url,
)
from tests.store.conftest import NOW

SECRET = "test-cart-secret"
LINK = CartLink(conversation_id="rest:anna", handle="harbor-rain-shell", sku="JKT-HRS-M-NAV",
                cart_variant_id=44012345678901, quantity=1)  # fmt: skip


def query_of(url: str) -> dict:
    return dict(parse_qsl(urlsplit(url).query))


def test_the_permalink_is_shopifys_cart_path():
    assert cart_permalink(44012345678901, 2) == "/cart/44012345678901:2"
    assert LINK.permalink() == "/cart/44012345678901:1"


def test_a_signed_link_reads_back_as_itself():
    url = signed_url(SECRET, "https://assistant.example.com/", LINK)
    assert url.startswith(f"https://assistant.example.com{REDIRECT_PATH}?")
    assert read_link(SECRET, query_of(url)) == LINK


@pytest.mark.parametrize(
    "field, value",
    [("c", "rest:someone-else"), ("v", "44012345678902"), ("q", "2"), ("h", "alpine-down-puffer"),
     ("s", "JKT-HRS-L-NAV")],
)  # fmt: skip
def test_a_changed_field_fails_the_signature(field, value):
    query = query_of(signed_url(SECRET, "http://127.0.0.1:5005", LINK))
    query[field] = value
    with pytest.raises(CartLinkError, match="signature"):
        read_link(SECRET, query)


def test_another_secret_fails_the_signature():
    with pytest.raises(CartLinkError, match="signature"):
        read_link("another-secret", query_of(signed_url(SECRET, "http://127.0.0.1:5005", LINK)))


@pytest.mark.parametrize(
    "change", [{"sig": None}, {"v": "abc"}, {"q": "0"}, {"q": "11"}, {"c": ""}, {"v": "-4"}]
)
def test_a_malformed_link_is_refused(change):
    query = query_of(signed_url(SECRET, "http://127.0.0.1:5005", LINK))
    for key, value in change.items():
        if value is None:
            del query[key]
        else:
            query[key] = value
    with pytest.raises(CartLinkError):
        read_link(SECRET, query)


def test_no_secret_signs_nothing():
    with pytest.raises(CartLinkError):
        signed_url("", "http://127.0.0.1:5005", LINK)


def test_clicks_are_recorded_per_conversation(session):
    record_click(session, link=LINK, now=NOW)
    record_click(session, link=CartLink("rest:bo", "alpine-down-puffer", "JKT-ADP-S-BLK", 7, 2), now=NOW)
    clicks = clicks_in(session, "rest:anna")
    assert [(c.handle, c.sku, c.cart_variant_id, c.quantity, c.clicked_at) for c in clicks] == [
        ("harbor-rain-shell", "JKT-HRS-M-NAV", 44012345678901, 1, NOW)
    ]
    assert [c.quantity for c in clicks_in(session, "rest:bo")] == [2]
