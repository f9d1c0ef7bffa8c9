"""``POST /webhooks/storefront/api/cart/report``: the page tells the assistant what its cart holds.

Body ``{"session_id", "lines": [{"sku", "quantity"}], "customer_token"?, "checked_out"?}``. The
widget's session id is the secret that names the conversation (as for the transcript), so only the
page that holds it can write that conversation's cart; the signed customer token (the one the
widget sends with each message, :mod:`storefront.widget_auth`) links the cart to a customer, and a
token that fails its check is refused (401) rather than ignored. ``checked_out: true`` marks the
cart bought (the page's checkout). Answers ``{"cart": {"id", "lines", "checked_out"}}`` or
``{"cart": null}`` for an empty cart that was never stored; a malformed body is a 400 saying what
is wrong; a store that is down is a 503. The stored carts feed cart recovery (:mod:`store.carts`).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from sqlalchemy.orm import Session

from core import clock
from store.carts import check_out, report_cart
from store.discounts import CartLine
from storefront.channels.socketio import valid_session_id
from storefront.channels.storefront_catalog import cart_lines
from storefront.widget_auth import TOKEN_KEY, verify_customer_token


class CartReportError(ValueError):
    """A report the page should not have sent; ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def parse_report(body: Dict[str, Any], secret: str) -> tuple[str, List[CartLine], Optional[str], bool]:
    """The session id, lines, verified customer email and checkout flag of a report.

    Raises:
        CartReportError: a field is missing or malformed (400), or the customer token is not valid (401).
    """
    session_id = body.get("session_id")
    if not isinstance(session_id, str) or not valid_session_id(session_id):
        raise CartReportError("session_id must be the chat widget's session id (32 hex characters)")
    lines = cart_lines(body)
    if lines is None:
        raise CartReportError('lines must be [{"sku": ..., "quantity": 1-99}], at most 50')
    checked_out = body.get("checked_out", False)
    if not isinstance(checked_out, bool):
        raise CartReportError("checked_out must be true or false")
    email = None
    if body.get(TOKEN_KEY) is not None:
        email = verify_customer_token(secret, body.get(TOKEN_KEY))
        if email is None:
            raise CartReportError(
                "the customer token is not valid (expired or not signed by this store)", 401
            )
    return session_id, lines, email, checked_out


def store_report(
    session: Session, *, session_id: str, lines: List[CartLine], email: Optional[str], checked_out: bool
) -> Dict[str, Any]:
    """Store the cart (and its checkout) for the widget conversation ``session_id``."""
    now = clock.now()
    cart = report_cart(session, conversation_id=session_id, lines=lines, now=now, email=email)
    if checked_out:
        cart = check_out(session, conversation_id=session_id, now=now) or cart
    if cart is None:
        return {"cart": None}
    return {
        "cart": {
            "id": cart.id,
            "lines": len(cart.lines or []),
            "checked_out": cart.checked_out_at is not None,
        }
    }
