"""The add-to-cart link of a product offered in this conversation (:mod:`store.cart_links`)."""

from __future__ import annotations

from rasa_sdk import Tracker

from store.cart_links import CartLink, add_to_cart_url


def cart_link(tracker: Tracker, handle: str, sku: str, cart_variant_id: int, quantity: int = 1) -> str:
    """The signed redirect to Shopify's ``/cart/<variant id>:<quantity>`` for this conversation."""
    return add_to_cart_url(CartLink(tracker.sender_id, handle, sku, cart_variant_id, quantity))
