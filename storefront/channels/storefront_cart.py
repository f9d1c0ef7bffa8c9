"""Add-to-cart links served by the assistant: the signed redirect and the demo store's permalink.

``GET /webhooks/storefront/cart-link?c=&h=&s=&v=&q=&sig=`` checks the link's signature
(:mod:`store.cart_links`), records the click for its conversation, then redirects to Shopify's cart
permalink ``/cart/<variant id>:<quantity>``: on the connected shop (``SHOPIFY_SHOP_DOMAIN``), else
on the demo storefront, whose ``GET /webhooks/storefront/cart/<variant id>:<quantity>`` puts the
variant in the page's cart (``?add=`` read by ``web/storefront/store.js``) the way Shopify's does.
A bad or forged link is a 400 and records nothing; a store that is down is a 503.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from core import clock
from core.settings import get_settings
from store.cart_links import MAX_QUANTITY, CartLink, CartLinkError, read_link, record_click
from store.runner import StoreUnavailable, configured_timeout, run_in_session

PAGE_PATH = "/webhooks/storefront/"
LINK_FIELDS = ("c", "h", "s", "v", "q", "sig")
PERMALINK = re.compile(r"^(\d{1,20}):(\d{1,2})$")
NO_STORE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _error(message: str, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status, headers=NO_STORE)


def permalink_target(link: CartLink) -> str:
    """Where a followed link goes: the connected shop's cart permalink, else the demo store's."""
    domain = get_settings().shopify_shop_domain
    if domain:
        return f"https://{domain}{link.permalink()}"
    return f"{PAGE_PATH.rstrip('/')}{link.permalink()}"


async def follow_cart_link(request: Request) -> HTTPResponse:
    """Check the signature, record the click, redirect to the cart permalink."""
    query = {name: request.args.get(name) for name in LINK_FIELDS if request.args.get(name) is not None}
    try:
        link = read_link(get_settings().cart_link_secret, query)
    except CartLinkError as error:
        return _error(f"this add-to-cart link is not valid: {error}", 400)
    try:
        await run_in_session(record_click, timeout=configured_timeout(), link=link, now=clock.now())
    except StoreUnavailable:
        return _error("the store is not available right now", 503)
    return response.redirect(permalink_target(link), status=302, headers=NO_STORE)


async def demo_cart_permalink(_: Request, spec: str) -> HTTPResponse:
    """``/cart/<variant id>:<quantity>`` on the demo store: open the page with the variant to add."""
    match = PERMALINK.match(spec)
    if match is None or not 0 < int(match.group(2)) <= MAX_QUANTITY:
        return _error("a cart permalink is /cart/<variant id>:<quantity>", 400)
    return response.redirect(
        f"{PAGE_PATH}?add={match.group(1)}:{match.group(2)}", status=302, headers=NO_STORE
    )


def cart_variant(session: Any, cart_id: int) -> Optional[Dict[str, Any]]:
    """The variant a cart permalink names (its Shopify id, or the demo store's own id)."""
    from sqlalchemy import or_, select

    from store.models import Variant

    variant = (
        session.execute(
            select(Variant)
            .where(or_(Variant.shopify_id == cart_id, Variant.id == cart_id))
            .order_by(Variant.shopify_id.is_(None))
        )
        .scalars()
        .first()
    )
    if variant is None or variant.product.status != "active":
        return None
    return {
        "id": cart_id, "sku": variant.sku, "title": variant.product.title, "handle": variant.product.handle,
        "size": variant.size, "color": variant.color, "price": f"{variant.price:.2f}",
        "available": variant.inventory_quantity > 0,
    }  # fmt: skip
