"""Order verification with bounded guessing: failures are counted where a shopper can't reset them.

A conversation's own attempt counter is reset by ``/restart``, by a new sender id or by another
channel; order numbers are sequential. So every failed verification is also recorded in the
store, once per order number, per contact the shopper typed and per client address (the
``client`` record the channel saw the request come from). Once any of them has
:attr:`GuessLimit.max_failures` failures within the window, the next attempt is refused
before the order is looked up, even with the right contact, until the window has passed.

Only typed contacts count: a contact the channel proved (a WhatsApp number, a signed-in email)
is not the shopper's choice, so trying it is not a guess. An unknown order number and a wrong
contact do the same work (see :func:`store.orders.verified_order`) and record the same failure.

The lock-out is also a way for a stranger to lock a customer out of self-service for the window
(three wrong guesses at their order number): the refusal offers a person, who can verify the
shopper another way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from core import clock
from store.contact import normalize_email, parse_order_number, phone_key
from store.models import VerificationFailure
from store.orders import OrderView, contact_owns_order, find_order

FailureKey = Tuple[str, str]
"""``(kind, key)``: ``("order", "1001")``, ``("contact", "ava@example.com")``, ``("client", "rest:10.0.0.7")``
(or ``("client", "whatsapp:15551234567")``)."""


class VerificationOutcome(str, Enum):
    """How an attempt to verify an order ended."""

    VERIFIED = "verified"
    NOT_FOUND = "not_found"  # unknown number or wrong contact: never told apart
    LOCKED = "locked"  # too many recent failures for this order, contact or client


@dataclass(frozen=True)
class GuessLimit:
    """Failures allowed per order number, contact or client within ``window``."""

    max_failures: int = 3
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class VerificationAttempt:
    """The outcome; with ``VERIFIED``, the contact that matched and (unless not asked for) the order."""

    outcome: VerificationOutcome
    order: Optional[OrderView] = None
    contact: Optional[str] = None


def _now(now: Optional[datetime]) -> datetime:
    return now or clock.now()


def failure_keys(*, order_number: str, contact: Optional[str], client: Optional[str]) -> List[FailureKey]:
    """What a failed attempt is counted against: the order number, the typed contact, the client."""
    number = parse_order_number(str(order_number))
    keys: List[FailureKey] = [("order", str(number) if number is not None else str(order_number).strip())]
    if contact:
        keys.append(("contact", normalize_email(contact) or phone_key(contact) or contact.strip().lower()))
    if client:
        keys.append(("client", client))
    return [(kind, key[:255]) for kind, key in keys]


def is_locked_out(
    session: Session, keys: Sequence[FailureKey], *, limit: GuessLimit, now: Optional[datetime] = None
) -> bool:
    """Whether any of ``keys`` has ``limit.max_failures`` failures within the window before ``now``."""
    if not keys:
        return False
    since = _now(now) - limit.window
    counts = session.execute(
        select(VerificationFailure.kind, VerificationFailure.key, func.count())
        .where(VerificationFailure.at > since)
        .where(
            or_(
                *(
                    and_(VerificationFailure.kind == kind, VerificationFailure.key == key)
                    for kind, key in keys
                )
            )
        )
        .group_by(VerificationFailure.kind, VerificationFailure.key)
    ).all()
    return any(count >= limit.max_failures for _kind, _key, count in counts)


def record_failure(
    session: Session, keys: Iterable[FailureKey], *, limit: GuessLimit, now: Optional[datetime] = None
) -> None:
    """Count one failure against each key (and forget failures older than the window)."""
    at = _now(now)
    session.execute(delete(VerificationFailure).where(VerificationFailure.at <= at - limit.window))
    session.add_all(VerificationFailure(kind=kind, key=key, at=at) for kind, key in keys)
    session.flush()


def verify_order(
    session: Session,
    *,
    order_number: str,
    typed_contact: Optional[str],
    proved_contacts: Sequence[str] = (),
    client: Optional[str] = None,
    limit: GuessLimit = GuessLimit(),
    now: Optional[datetime] = None,
    with_order: bool = True,
) -> VerificationAttempt:
    """Verify ``order_number`` with the typed contact, then with each channel-proved contact.

    Refused (``LOCKED``) without looking at the order when the order number, the typed contact
    or the client is locked out. A failure with a typed contact is recorded. With
    ``with_order=False`` a verified attempt carries no order (``order`` is None): only its
    contacts are read, for a caller that needs no more than the answer.
    """
    keys = failure_keys(order_number=order_number, contact=typed_contact, client=client)
    if is_locked_out(session, keys, limit=limit, now=now):
        return VerificationAttempt(VerificationOutcome.LOCKED)
    candidates = [typed_contact] if typed_contact else []
    candidates += [contact for contact in proved_contacts if contact not in candidates]
    for contact in candidates:
        if not with_order:
            if contact_owns_order(session, order_number=order_number, contact=contact) is not None:
                return VerificationAttempt(VerificationOutcome.VERIFIED, None, contact)
            continue
        order = find_order(session, order_number=order_number, contact=contact, now=now)
        if order is not None:
            return VerificationAttempt(VerificationOutcome.VERIFIED, order, contact)
    if typed_contact:
        record_failure(session, keys, limit=limit, now=now)
    return VerificationAttempt(VerificationOutcome.NOT_FOUND)
