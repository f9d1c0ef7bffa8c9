"""Canned replies: texts agents reuse, with placeholders the console fills for each shopper.

A body may use only the placeholders in :data:`PLACEHOLDERS` (``{first_name}``,
``{order_number}``, ``{agent_name}``); ``{{`` and ``}}`` are literal braces. Saving a body with
any other field, or broken braces, is refused, so an agent never sends a reply with a hole in it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from store.models import CannedReply

PLACEHOLDERS = ("first_name", "order_number", "agent_name")
MAX_TITLE = 80
MAX_BODY = 2000


class CannedReplyError(ValueError):
    """A canned reply that cannot be saved or used; the message says why, for the agent."""


@dataclass(frozen=True)
class CannedReplyView:
    """A saved canned reply and the placeholders its body uses."""

    id: int
    title: str
    body: str
    placeholders: tuple[str, ...]
    created_by: str
    updated_at: datetime


def placeholders_in(body: str) -> tuple[str, ...]:
    """The placeholders ``body`` uses, in order of first use.

    Raises:
        CannedReplyError: unbalanced braces, an unknown field, or a format spec.
    """
    found: List[str] = []
    try:
        parsed = list(string.Formatter().parse(body))
    except ValueError as error:
        raise CannedReplyError(f"the braces do not match ({error}); write {{{{ for a literal brace") from None
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise CannedReplyError(f"unknown placeholder {{{field}}}: use {allowed}")
        if field not in found:
            found.append(field)
    return tuple(found)


def fill(body: str, values: Mapping[str, Optional[str]]) -> str:
    """``body`` with its placeholders filled from ``values``.

    Raises:
        CannedReplyError: a placeholder the body uses has no value for this conversation.
    """
    used = placeholders_in(body)
    missing = [name for name in used if not (values.get(name) or "").strip()]
    if missing:
        raise CannedReplyError(
            "this conversation has no " + " or ".join(m.replace("_", " ") for m in missing) + " to fill in"
        )
    return body.format(**{name: str(values[name]).strip() for name in used})


def _view(row: CannedReply) -> CannedReplyView:
    return CannedReplyView(
        row.id, row.title, row.body, placeholders_in(row.body), row.created_by, row.updated_at
    )


def _checked(title: str, body: str) -> tuple[str, str]:
    title, body = " ".join((title or "").split()), (body or "").strip()
    if not title or len(title) > MAX_TITLE:
        raise CannedReplyError(f"a title is 1 to {MAX_TITLE} characters")
    if not body or len(body) > MAX_BODY:
        raise CannedReplyError(f"a reply is 1 to {MAX_BODY} characters")
    placeholders_in(body)
    return title, body


def _title_taken(session: Session, title: str, other_than: Optional[int] = None) -> bool:
    stmt = select(CannedReply.id).where(func.lower(CannedReply.title) == title.lower())
    if other_than is not None:
        stmt = stmt.where(CannedReply.id != other_than)
    return session.execute(stmt).first() is not None


def list_canned_replies(session: Session) -> List[CannedReplyView]:
    """Every canned reply, by title."""
    rows = session.execute(select(CannedReply).order_by(func.lower(CannedReply.title))).scalars()
    return [_view(row) for row in rows]


def get_canned_reply(session: Session, *, reply_id: int) -> Optional[CannedReplyView]:
    """One canned reply, or None."""
    row = session.get(CannedReply, reply_id)
    return _view(row) if row is not None else None


def save_canned_reply(
    session: Session,
    *,
    title: str,
    body: str,
    agent: str,
    reply_id: Optional[int] = None,
    now: Optional[datetime] = None,
) -> Optional[CannedReplyView]:
    """Create a reply, or change reply ``reply_id`` (None when it does not exist).

    Raises:
        CannedReplyError: a bad title or body, or a title another reply has.
    """
    title, body = _checked(title, body)
    if _title_taken(session, title, other_than=reply_id):
        raise CannedReplyError(f"a canned reply is already called {title!r}")
    if reply_id is None:
        row = CannedReply(title=title, body=body, created_by=agent)
        session.add(row)
    else:
        found = session.get(CannedReply, reply_id)
        if found is None:
            return None
        row = found
        row.title, row.body = title, body
    row.updated_at = now or clock.now()
    session.flush()
    return _view(row)


def delete_canned_reply(session: Session, *, reply_id: int) -> bool:
    """Delete a canned reply; False when there was none."""
    row = session.get(CannedReply, reply_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def placeholder_values(context: Mapping[str, Any], agent: str) -> Dict[str, Optional[str]]:
    """What a handoff's stored context offers for each placeholder (None when it has nothing).

    ``first_name`` is the first word of the name the channel knows the shopper by, else of the
    verified customer's name in the store; ``order_number`` the first order in the context,
    verified ones first, without its ``#``.
    """
    shopper = context.get("shopper") or {}
    customer = context.get("customer") or {}
    name = str(shopper.get("name") or customer.get("name") or "").split()
    orders = [o for o in context.get("orders") or [] if isinstance(o, dict)]
    orders.sort(key=lambda o: not o.get("verified"))
    number = str(orders[0].get("number") or "").lstrip("#") if orders else ""
    return {"first_name": name[0] if name else None, "order_number": number or None, "agent_name": agent}
