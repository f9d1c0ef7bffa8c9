"""Shopper carts kept server-side: what the website widget's cart holds, and whether it was bought.

The storefront page reports its cart (SKUs and quantities) for the widget's conversation whenever
it changes (:func:`report_cart`); a page whose shopper is signed in sends the signed customer
token too, so the cart is linked to the customer (a cart without one can never be nudged: there
is no consented channel to reach an anonymous browser on). A conversation has one open cart; a
checkout closes it (:func:`check_out`, or :func:`close_ordered_carts` when an order by the cart's
customer arrives through an import or a Shopify webhook), and the next report starts a new one.
Cart recovery (:mod:`store.cart_recovery`) reads the open carts that stopped changing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from store.contact import normalize_email
from store.discounts import CartLine
from store.models import Customer, Order, ShopperCart, Variant

MAX_LINES = 50


@dataclass(frozen=True)
class CartItem:
    """One line of a stored cart as a shopper would name it."""

    sku: str
    quantity: int
    title: str
    handle: str
    size: Optional[str]
    color: Optional[str]
    price: str  # the plain amount, e.g. "159.00"

    def label(self) -> str:
        """``Trail Jacket (M, Navy)``: the title with the chosen options."""
        options = ", ".join(part for part in (self.size, self.color) if part)
        return f"{self.title} ({options})" if options else self.title


def _known_lines(session: Session, lines: Sequence[CartLine]) -> List[Dict[str, Any]]:
    """The lines whose SKUs the catalog has, merged by SKU, in the order first given."""
    wanted = [line.sku.strip().upper() for line in lines]
    known = set(session.execute(select(Variant.sku).where(Variant.sku.in_(set(wanted)))).scalars())
    merged: Dict[str, int] = {}
    for sku, line in zip(wanted, lines, strict=True):
        if sku in known and line.quantity > 0:
            merged[sku] = merged.get(sku, 0) + line.quantity
    return [{"sku": sku, "quantity": quantity} for sku, quantity in list(merged.items())[:MAX_LINES]]


def open_cart(session: Session, conversation_id: str) -> Optional[ShopperCart]:
    """The conversation's cart that was not checked out yet, if any."""
    return (
        session.execute(
            select(ShopperCart)
            .where(ShopperCart.conversation_id == conversation_id, ShopperCart.checked_out_at.is_(None))
            .order_by(ShopperCart.id.desc())
        )
        .scalars()
        .first()
    )


def report_cart(
    session: Session,
    *,
    conversation_id: str,
    lines: Sequence[CartLine],
    now: datetime,
    email: Optional[str] = None,
) -> Optional[ShopperCart]:
    """Store the page's cart for ``conversation_id``; None when it is empty and none was open.

    ``updated_at`` moves only when the lines change, so a page reload that reports the same cart
    does not restart the wait before a reminder. ``email`` is the verified email of the page's
    customer token (never a typed one); it links the cart to that customer.
    """
    cleaned = _known_lines(session, lines)
    cart = open_cart(session, conversation_id)
    if cart is None:
        if not cleaned:
            return None
        cart = ShopperCart(conversation_id=conversation_id, lines=cleaned, created_at=now, updated_at=now)
        session.add(cart)
    elif cart.lines != cleaned:
        cart.lines, cart.updated_at = cleaned, now
    address = normalize_email(email) if email else None
    if address and cart.email != address:
        cart.email = address
        cart.customer_id = session.execute(
            select(Customer.id).where(Customer.email == address)
        ).scalar_one_or_none()
    session.flush()
    return cart


def check_out(session: Session, *, conversation_id: str, now: datetime) -> Optional[ShopperCart]:
    """Mark the conversation's open cart checked out (the page's checkout); None without one."""
    cart = open_cart(session, conversation_id)
    if cart is not None:
        cart.checked_out_at = now
        session.flush()
    return cart


def close_ordered_carts(session: Session, *, now: datetime) -> int:
    """Close open carts whose customer ordered since the cart was started; returns how many.

    An order counts when it is by the cart's customer (or to its verified email) and was placed
    between the cart's start and ``now``; the cart is closed at the order's time.
    """
    carts = session.execute(
        select(ShopperCart).where(
            ShopperCart.checked_out_at.is_(None),
            or_(ShopperCart.customer_id.is_not(None), ShopperCart.email.is_not(None)),
        )
    ).scalars()
    closed = 0
    for cart in carts:
        shopper = []
        if cart.customer_id is not None:
            shopper.append(Order.customer_id == cart.customer_id)
        if cart.email:
            shopper.append(Order.email == cart.email)
        placed = session.execute(
            select(Order.placed_at)
            .where(
                or_(*shopper),
                Order.cancelled_at.is_(None),
                Order.placed_at >= cart.created_at,
                Order.placed_at <= now,
            )
            .order_by(Order.placed_at)
            .limit(1)
        ).scalar_one_or_none()
        if placed is not None:
            cart.checked_out_at = placed
            closed += 1
    session.flush()
    return closed


def cart_items(session: Session, cart: ShopperCart) -> List[CartItem]:
    """The cart's lines with the catalog's titles, options and current prices (unknown SKUs left out)."""
    lines = list(cart.lines or [])
    variants = {
        v.sku: v
        for v in session.execute(
            select(Variant)
            .where(Variant.sku.in_([str(line.get("sku")) for line in lines]))
            .options(selectinload(Variant.product))
        ).scalars()
    }
    items = []
    for line in lines:
        variant = variants.get(str(line.get("sku")))
        if variant is None:
            continue
        items.append(
            CartItem(
                sku=variant.sku,
                quantity=int(line.get("quantity") or 1),
                title=variant.product.title,
                handle=variant.product.handle,
                size=variant.size,
                color=variant.color,
                price=f"{variant.price:.2f}",
            )
        )
    return items
