"""What a shopper's reply to a proactive message is about: the cart, the product, the order.

A channel asks, for each inbound message, whether the sender's address got a proactive message on
that channel within :data:`REPLY_WINDOW` (:func:`reply_context`), and passes the answer to the
assistant in the message's metadata (``proactive``, a key only server-side channel code may set).
The actions read it as context only: the cart's lines and first product for sizing, delivery and
returns questions, the product of a back-in-stock alert, the order of an order update. An order
is still shown only to a shopper the order-verification rules accept (the channel's proven
number matching the order's own contact); the context names it, nothing more.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Dict, Optional

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from store.consent import Channel, normalize_address
from store.info import store_country
from store.models import OutboxMessage, Product, Variant

REPLY_WINDOW = timedelta(hours=48)
"""How long after a proactive message the shopper's messages are taken as replies to it."""
SENT = ("sent", "delivered", "read")
ORDER_TRIGGERS = frozenset({"order_shipped", "order_delayed", "order_delivered"})


def _handle_of(session: Session, sku: Optional[str]) -> Optional[str]:
    if not sku:
        return None
    return session.execute(
        select(Product.handle).join(Variant, Variant.product_id == Product.id).where(Variant.sku == sku)
    ).scalar_one_or_none()


def describe(session: Session, message: OutboxMessage) -> Dict[str, Any]:
    """The ``proactive`` metadata for replies to ``message``: what it was, when, and its object."""
    params = dict(message.params or {})
    context: Dict[str, Any] = {
        "outbox_id": message.id,
        "trigger": message.trigger,
        "channel": message.channel,
        "sent_at": message.sent_at.isoformat() if message.sent_at else None,
    }
    if message.trigger == "cart_recovery":
        lines = [line for line in params.get("lines") or [] if isinstance(line, dict)]
        context["cart"] = [
            {"sku": line.get("sku"), "quantity": line.get("quantity", 1), "price": line.get("price")}
            for line in lines
        ]
        context["cart_id"] = params.get("cart_id")
        if lines and lines[0].get("handle"):
            context["product"] = lines[0]["handle"]
    elif message.trigger == "back_in_stock":
        context["product"] = _handle_of(session, params.get("sku"))
        context["sku"] = params.get("sku")
    elif message.trigger in ORDER_TRIGGERS:
        context["order"] = params.get("order")
    elif message.trigger == "replenishment":
        context["product_title"] = params.get("product")
    return {key: value for key, value in context.items() if value is not None}


def reply_context(
    session: Session,
    *,
    channel: Channel,
    address: Optional[str],
    conversation_id: Optional[str],
    now: datetime,
) -> Optional[Dict[str, Any]]:
    """The newest proactive message sent to ``address`` on ``channel`` (or into
    ``conversation_id``) within the reply window, described for the assistant; None without one."""
    who = []
    if address:
        who.append(
            (OutboxMessage.channel == channel.value)
            & (OutboxMessage.recipient == normalize_address(channel, address, region=store_country(session)))
        )
    if conversation_id:
        who.append(OutboxMessage.conversation_id == conversation_id)
    if not who:
        return None
    message = (
        session.execute(
            select(OutboxMessage)
            .where(
                or_(*who),
                OutboxMessage.status.in_(SENT),
                # no upper bound: a channel's clock a little behind the worker's must not lose it
                OutboxMessage.sent_at > now - REPLY_WINDOW,
            )
            .order_by(OutboxMessage.sent_at.desc(), OutboxMessage.id.desc())
            .limit(1)
        )
        .scalars()
        .first()
    )
    return describe(session, message) if message is not None else None
