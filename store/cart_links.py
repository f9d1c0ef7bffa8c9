"""Add-to-cart links: Shopify's cart permalink for a recommendation, behind a signed redirect.

Shopify adds a variant to the cart at ``https://<shop>/cart/<variant id>:<quantity>`` (the cart
permalink). A recommendation does not hand that address out directly: its link points at the
assistant's redirect (``/webhooks/storefront/cart-link``, :mod:`storefront.channels.storefront_page`)
with the conversation, the product, the variant and the quantity, signed with HMAC-SHA256 under
``CART_LINK_SECRET``. Following it records the click for that conversation, then redirects to the
permalink. A link whose fields were changed (another conversation, another variant, ten instead of
one) fails the signature and is refused, so the store team's click counts cannot be forged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import get_settings
from store.models import CartLinkClick

REDIRECT_PATH = "/webhooks/storefront/cart-link"
"""Where the assistant serves the redirect (the storefront channel's blueprint)."""
MAX_QUANTITY = 10
SIGNATURE_VERSION = "v1"


class CartLinkError(ValueError):
    """A cart link that is malformed or whose signature does not match."""


@dataclass(frozen=True)
class CartLink:
    """What a signed add-to-cart link carries."""

    conversation_id: str
    handle: str
    sku: str
    cart_variant_id: int
    """The variant's id in the shop's cart (its Shopify id when the store is connected)."""
    quantity: int = 1

    def permalink(self) -> str:
        """Shopify's cart permalink path for this variant and quantity."""
        return cart_permalink(self.cart_variant_id, self.quantity)


def cart_permalink(cart_variant_id: int, quantity: int = 1) -> str:
    """``/cart/<variant id>:<quantity>``, the path Shopify's cart permalinks use."""
    return f"/cart/{int(cart_variant_id)}:{int(quantity)}"


def _signature(secret: str, link: CartLink) -> str:
    if not secret:
        raise CartLinkError("CART_LINK_SECRET is not set")
    message = "\x1f".join(
        (SIGNATURE_VERSION, link.conversation_id, link.handle, link.sku, str(link.cart_variant_id),
         str(link.quantity))
    )  # fmt: skip
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def signed_url(secret: str, base_url: str, link: CartLink) -> str:
    """The redirect's absolute URL for ``link`` on the assistant at ``base_url``."""
    query = {
        "c": link.conversation_id, "h": link.handle, "s": link.sku, "v": link.cart_variant_id,
        "q": link.quantity, "sig": _signature(secret, link),
    }  # fmt: skip
    return f"{base_url.rstrip('/')}{REDIRECT_PATH}?{urlencode(query)}"


def assistant_url() -> str:
    """The public address of the Rasa server that serves the redirect (``ASSISTANT_PUBLIC_URL``)."""
    settings = get_settings()
    return settings.assistant_public_url or f"http://{settings.rasa_host}:{settings.rasa_port}"


def add_to_cart_url(link: CartLink) -> str:
    """The signed redirect URL of ``link`` under this deployment's secret and public address."""
    return signed_url(get_settings().cart_link_secret, assistant_url(), link)


def read_link(secret: str, query: Mapping[str, str]) -> CartLink:
    """The link a redirect request carries, once its signature is checked.

    Raises:
        CartLinkError: a field is missing or malformed, or the signature does not match.
    """
    try:
        link = CartLink(
            conversation_id=query["c"], handle=query["h"], sku=query["s"],
            cart_variant_id=int(query["v"]), quantity=int(query["q"]),
        )  # fmt: skip
        signature = query["sig"]
    except (KeyError, TypeError, ValueError) as error:
        raise CartLinkError(f"malformed cart link ({error})") from None
    if not (0 < link.quantity <= MAX_QUANTITY and link.cart_variant_id > 0 and link.conversation_id):
        raise CartLinkError("malformed cart link (quantity, variant or conversation)")
    if not hmac.compare_digest(signature.encode(), _signature(secret, link).encode()):
        raise CartLinkError("the cart link's signature does not match")
    return link


def record_click(session: Session, *, link: CartLink, now: datetime) -> CartLinkClick:
    """Record that the shopper of ``link.conversation_id`` followed it (in the caller's transaction)."""
    click = CartLinkClick(
        conversation_id=link.conversation_id[:255], handle=link.handle[:255], sku=link.sku[:100],
        cart_variant_id=link.cart_variant_id, quantity=link.quantity, clicked_at=now,
    )  # fmt: skip
    session.add(click)
    session.flush()
    return click


def clicks_in(session: Session, conversation_id: str) -> list[CartLinkClick]:
    """Every add-to-cart link followed in the conversation, first first."""
    stmt = (
        select(CartLinkClick)
        .where(CartLinkClick.conversation_id == conversation_id)
        .order_by(CartLinkClick.id)
    )
    return list(session.execute(stmt).scalars())
