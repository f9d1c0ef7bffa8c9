"""What the website widget tells us about the page: the product on screen and the cart.

The widget puts ``{"page": {"product": "<handle>"}, "cart": [{"sku", "quantity", "price"}]}`` into
each message's metadata. It is client-supplied, so it is only ever used to *suggest* (which product
to size, which cart to check a code against), never to reveal or change anything.

A reply to a proactive message has no page, but the messaging channel names what the message was
about (``proactive``: a cart reminder's lines and first product, a back-in-stock alert's product,
see ``store/proactive_context.py``); without a page context, that stands in for it, so "does the
medium fit?" after a cart reminder is about the cart's product.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from actions.identity import PROACTIVE_KEY, message_metadata
from store.discounts import CartLine

MAX_CART_LINES = 50  # a widget cart is small; anything longer is not a real cart


def proactive_context(tracker: Tracker) -> Dict[str, Any]:
    """The proactive message the shopper is answering (``{}`` when none), as the channel set it."""
    context = message_metadata(tracker).get(PROACTIVE_KEY)
    return context if isinstance(context, dict) else {}


def page_product(tracker: Tracker) -> Optional[str]:
    """The handle of the product page the shopper is looking at, else of the product the
    proactive message they are answering was about; None without either."""
    page = message_metadata(tracker).get("page")
    product = page.get("product") if isinstance(page, dict) else None
    if not isinstance(product, str) or not product.strip():
        product = proactive_context(tracker).get("product")
    return product.strip() if isinstance(product, str) and product.strip() else None


def cart_lines(tracker: Tracker) -> Optional[List[CartLine]]:
    """The widget cart (else the cart of the reminder being answered) as store cart lines; None
    when neither is there or usable."""
    cart = message_metadata(tracker).get("cart")
    if not isinstance(cart, list) or not cart:
        cart = proactive_context(tracker).get("cart")
    if not isinstance(cart, list) or not cart or len(cart) > MAX_CART_LINES:
        return None
    lines: List[CartLine] = []
    for item in cart:
        if not isinstance(item, dict) or not isinstance(item.get("sku"), str):
            continue
        try:
            quantity = int(item.get("quantity", 1))
            price = Decimal(str(item["price"])) if item.get("price") is not None else None
        except (TypeError, ValueError, InvalidOperation):
            continue
        if quantity > 0 and (price is None or price >= 0):
            lines.append(CartLine(sku=item["sku"], quantity=quantity, price=price))
    return lines or None


def cart_subtotal(lines: Optional[List[CartLine]]) -> Optional[Decimal]:
    """The cart's subtotal when every line carries a price (for the free-shipping threshold)."""
    if not lines or any(line.price is None for line in lines):
        return None
    return sum((line.price * line.quantity for line in lines if line.price is not None), Decimal("0"))
