"""Everything a person needs to take over a conversation, read from the tracker.

The handoff record (``store.handoffs``) carries this context so that the agent console can show
who the shopper is, what they asked, what the assistant understood, and what to do next,
without the shopper repeating anything. Functions here are pure (tracker in, plain JSON-able
data out) except :func:`lookup_customer_and_orders`, which asks the store.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, is_dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from actions import identity
from actions.page_context import proactive_context
from actions.store_access import StoreUnavailable, query_store
from store.codes import HandoffReason
from store.customers import customer_summary
from store.orders import find_order, orders_for_contact

logger = logging.getLogger(__name__)

TRANSCRIPT_LIMIT = 60
"""Messages kept in the record; the console reads the live tracker for the full history."""

# for the agents in the console, not the shopper (so not domain.yml responses)
REASON_LABELS: Dict[HandoffReason, str] = {
    HandoffReason.REQUESTED: "Shopper asked for a person",
    HandoffReason.NLU_FALLBACK: "Assistant did not understand the shopper twice in a row",
    HandoffReason.FORM_FAILED: "Shopper could not answer one of the assistant's questions",
    HandoffReason.FRUSTRATION: "Shopper is frustrated",
    HandoffReason.DELAYED_ORDER: "Problem with a delayed order",
    HandoffReason.HIGH_VALUE_ORDER: "Problem with a high-value order",
    HandoffReason.ACTION_FAILED: "The assistant could not complete a store lookup",
    HandoffReason.LATE_REFUND: "A refund is later than the return policy promises",
    HandoffReason.PRODUCT_QUESTION: "Shopper asked about a product detail the store has not listed",
    HandoffReason.MISSING_ITEM: "An item is missing from the shopper's parcel",
}

NEXT_STEPS: Dict[HandoffReason, str] = {
    HandoffReason.REQUESTED: (
        "Greet the shopper by name and answer their last question (the transcript shows it)."
    ),
    HandoffReason.NLU_FALLBACK: (
        "Read the last messages (the assistant misunderstood them) and answer directly."
    ),
    HandoffReason.FORM_FAILED: (
        "Collect the missing detail yourself; the assistant's question kept failing."
    ),
    HandoffReason.FRUSTRATION: "Apologise first, then solve the problem; the shopper is upset.",
    HandoffReason.DELAYED_ORDER: (
        "Check the carrier tracking of the order and offer a reship, refund or a firm date."
    ),
    HandoffReason.HIGH_VALUE_ORDER: (
        "Prioritise: high-value order. Confirm the details and resolve it personally."
    ),
    HandoffReason.ACTION_FAILED: (
        "A store lookup failed; check the order or product in the admin and answer manually."
    ),
    HandoffReason.LATE_REFUND: (
        "Check the return's refund with the payment provider and give the shopper a firm date."
    ),
    HandoffReason.PRODUCT_QUESTION: (
        "Answer the product question from the label or supplier sheet, and add the fact to the "
        "product's metafields so the assistant can answer it next time."
    ),
    HandoffReason.MISSING_ITEM: (
        "Check the order's packing and tracking, then send the missing item or refund it; the "
        "order is verified (see the transcript)."
    ),
}

# slots that are bookkeeping, not facts about the shopper's request
_HIDDEN_SLOTS = {"session_started_metadata", "requested_slot", "handoff_form_failures"}


def jsonable(value: Any) -> Any:
    """Make dataclasses, decimals and datetimes storable in the JSON context column."""
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def shopper_identity(tracker: Tracker) -> Dict[str, Any]:
    """Who the shopper is and whether a channel verified it (see :mod:`actions.identity`).

    Only ``metadata["shopper"]`` is trusted (channels set it after verification); an email or
    phone the shopper typed (slot ``order_contact``) is reported as unverified.
    """
    email, phone = identity.verified_email(tracker), identity.verified_phone(tracker)
    typed = tracker.get_slot("order_contact")
    return {
        "name": identity.shopper_name(tracker),
        "email": email or (typed if typed and "@" in str(typed) else None),
        "phone": phone or (typed if typed and "@" not in str(typed) else None),
        "verified": bool(email or phone),
        "verified_by": identity.shopper(tracker).get("channel") if (email or phone) else None,
        "wa_id": identity.shopper(tracker).get("wa_id"),
    }


def page_and_cart(tracker: Tracker) -> Dict[str, Any]:
    """The page and cart the widget last reported (newest message that carried them)."""
    found: Dict[str, Any] = {"page": None, "cart": None}
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        metadata = event.get("metadata") or {}
        for key in ("page", "cart"):
            if found[key] is None and metadata.get(key):
                found[key] = metadata[key]
        if found["page"] is not None and found["cart"] is not None:
            break
    if found["cart"] is None and tracker.get_slot("cart"):
        found["cart"] = tracker.get_slot("cart")
    return found


def started_by(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The proactive message the conversation answers (trigger, channel, when it was sent), from
    the first shopper message the messaging channel marked as a reply to one; None otherwise."""
    for event in tracker.events:
        if event.get("event") != "user":
            continue
        record = (event.get("metadata") or {}).get(identity.PROACTIVE_KEY)
        if isinstance(record, dict) and record.get("trigger"):
            return {key: record.get(key) for key in ("trigger", "channel", "sent_at", "outbox_id")}
    return None


def _timestamp(event: Dict[str, Any]) -> Optional[str]:
    stamp = event.get("timestamp")
    if stamp is None:
        return None
    return datetime.fromtimestamp(float(stamp), tz=timezone.utc).isoformat()


def transcript(tracker: Tracker, limit: int = TRANSCRIPT_LIMIT) -> List[Dict[str, Any]]:
    """Shopper and bot messages, oldest first, with each shopper message's intent and confidence."""
    lines: List[Dict[str, Any]] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            confidence = intent.get("confidence")
            lines.append(
                {
                    "sender": "shopper",
                    "text": event.get("text") or "",
                    "at": _timestamp(event),
                    "intent": intent.get("name"),
                    "confidence": round(float(confidence), 3) if confidence is not None else None,
                }
            )
        elif kind == "bot":
            metadata = event.get("metadata") or {}
            agent = metadata.get("handoff_agent")
            lines.append(
                {
                    "sender": f"agent:{agent}" if agent else "bot",
                    "text": event.get("text") or "",
                    "at": _timestamp(event),
                }
            )
    return lines[-limit:]


def filled_slots(tracker: Tracker) -> Dict[str, Any]:
    """Slots with a value, without Rasa's and the handoff's bookkeeping slots."""
    return {
        name: jsonable(value)
        for name, value in tracker.current_slot_values().items()
        if value is not None and name not in _HIDDEN_SLOTS
    }


def _order_brief(order: Any) -> Dict[str, Any]:
    return {
        "number": order.number, "status": order.status, "verified": True,
        "placed_at": jsonable(order.placed_at), "total": str(order.total), "currency": order.currency,
        "is_high_value": order.is_high_value,
        "items": [f"{i.quantity} x {i.title}" + (f" ({i.size})" if i.size else "") for i in order.items],
        "tracking": [
            {"carrier": f.carrier, "number": f.tracking_number, "url": f.tracking_url,
             "estimated_delivery": jsonable(f.estimated_delivery)}
            for f in order.fulfillments
        ],
    }  # fmt: skip


async def lookup_customer_and_orders(tracker: Tracker, identity: Dict[str, Any]) -> Dict[str, Any]:
    """The customer summary and the order(s) in question, as far as the store can tell.

    An order's details are included only when it was verified in this conversation
    (``verified_order``) or the shopper's verified identity owns it; a number the shopper only
    mentioned is listed as unverified. A failing store never blocks the handoff.
    """
    result: Dict[str, Any] = {"customer": None, "orders": [], "store_error": None}
    email, phone = identity.get("email"), identity.get("phone")
    try:
        if email or phone:
            summary = await query_store(customer_summary, email=email, phone=phone)
            result["customer"] = jsonable(summary) if summary else None
        number = tracker.get_slot("verified_order") or tracker.get_slot("order_number")
        contact = tracker.get_slot("order_contact") or email or phone
        if number and contact:
            order = await query_store(find_order, order_number=str(number), contact=str(contact))
            verified = order is not None and (
                tracker.get_slot("verified_order") is not None or identity.get("verified")
            )
            if order is not None and verified:
                result["orders"].append(_order_brief(order))
        if number and not result["orders"]:
            result["orders"].append({"number": str(number).lstrip("#"), "verified": False})
        if identity.get("verified") and not result["orders"]:
            recent = await query_store(orders_for_contact, email=email, phone=phone, limit=3)
            result["orders"] = [dict(jsonable(o), verified=True) for o in recent]
    except StoreUnavailable as error:
        logger.warning("Handoff context without store data: %s", error)
        result["store_error"] = str(error)
    return result


def summarise(reason: HandoffReason, lines: List[Dict[str, Any]], orders: List[Dict[str, Any]]) -> str:
    """One line for the queue: why, the order, and the shopper's last words."""
    parts = [REASON_LABELS[reason]]
    if orders:
        first = orders[0]
        status = f" ({first['status']})" if first.get("status") else ""
        parts.append(f"order #{first['number']}{status}")
    said = [line["text"] for line in lines if line["sender"] == "shopper" and line["text"]]
    if said:
        last = said[-1] if len(said[-1]) <= 80 else said[-1][:77] + "..."
        parts.append(f'last message: "{last}"')
    return "; ".join(parts)


def next_step(reason: HandoffReason) -> str:
    """What the agent should do first."""
    return NEXT_STEPS[reason]


async def build_context(tracker: Tracker, *, reason: HandoffReason, channel: str) -> Dict[str, Any]:
    """The full context stored with the handoff and shown in the agent console."""
    identity = shopper_identity(tracker)
    store_part = await lookup_customer_and_orders(tracker, identity)
    lines = transcript(tracker)
    located = page_and_cart(tracker)
    return jsonable(
        {
            "conversation_id": tracker.sender_id,
            "channel": channel,
            "shopper": identity,
            "customer": store_part["customer"],
            "orders": store_part["orders"],
            "store_error": store_part["store_error"],
            "page": located["page"],
            "cart": located["cart"] or proactive_context(tracker).get("cart"),
            "started_by": started_by(tracker),
            "transcript": lines,
            "slots": filled_slots(tracker),
            "reason": reason,
            "summary": summarise(reason, lines, store_part["orders"]),
            "next_step": next_step(reason),
        }
    )
