"""The consent ledger: who agreed to be messaged, on which channel, for what, and when they stopped.

Consent is kept per channel (``widget``, ``email``, ``sms``, ``whatsapp``) and purpose (``service``
such as order updates, ``marketing`` such as offers, cart and back-in-stock nudges), for one
address on that channel (an E.164 phone number, a lower-case email, or the widget's conversation
id), with where it came from and the words the shopper was shown. The ledger only grows: a grant
adds a row, a withdrawal closes the open row, so what a shopper agreed to on any past day can be
shown. Service messages need no grant (the shopper's own order) but stop when withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Iterable, Optional

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.contact import e164, normalize_email
from store.info import store_country
from store.models import ConsentRecord, Customer


class Channel(str, Enum):
    """Where a proactive message can go."""

    WIDGET = "widget"
    EMAIL = "email"
    SMS = "sms"
    WHATSAPP = "whatsapp"


class Purpose(str, Enum):
    """Why it is sent: ``service`` (the shopper's own order) or ``marketing`` (anything else)."""

    SERVICE = "service"
    MARKETING = "marketing"


class Source(str, Enum):
    """Where a grant or a withdrawal came from (kept in the ledger)."""

    SHOPIFY_IMPORT = "shopify_import"
    CHAT = "chat"
    KEYWORD = "keyword"
    PROVIDER = "provider"  # the messaging provider reported an opt-out (Meta 131050, Twilio 21610)
    AGENT = "agent"


IMPORTED_WORDING = "Accepts marketing (imported from the store's customer records)"


def normalize_address(channel: Channel, address: str, *, region: Optional[str] = None) -> str:
    """The ledger's spelling of an address: E.164 for phones, lower case for email."""
    if channel in (Channel.SMS, Channel.WHATSAPP):
        return e164(address.removeprefix("whatsapp:"), region) or address.strip()
    if channel is Channel.EMAIL:
        return normalize_email(address) or address.strip().lower()
    return address.strip()


def _open_record(
    session: Session, channel: Channel, address: str, purpose: Purpose
) -> Optional[ConsentRecord]:
    return session.execute(
        select(ConsentRecord)
        .where(
            ConsentRecord.channel == channel.value,
            ConsentRecord.address == address,
            ConsentRecord.purpose == purpose.value,
        )
        .order_by(ConsentRecord.granted_at.desc(), ConsentRecord.id.desc())
        .limit(1)
    ).scalar_one_or_none()


@dataclass(frozen=True)
class ConsentState:
    """The newest ledger entry for one channel, address and purpose."""

    granted: bool
    withdrawn: bool
    granted_at: Optional[datetime]
    withdrawn_at: Optional[datetime]
    source: Optional[str]


def consent_state(session: Session, *, channel: Channel, address: str, purpose: Purpose) -> ConsentState:
    """What the ledger says now (``granted`` and not ``withdrawn`` means yes)."""
    row = _open_record(
        session, channel, normalize_address(channel, address, region=store_country(session)), purpose
    )
    if row is None:
        return ConsentState(False, False, None, None, None)
    return ConsentState(
        row.withdrawn_at is None, row.withdrawn_at is not None, row.granted_at, row.withdrawn_at, row.source
    )


def may_message(session: Session, *, channel: Channel, address: str, purpose: Purpose) -> bool:
    """Marketing needs a standing grant; service needs only that it was not withdrawn."""
    state = consent_state(session, channel=channel, address=address, purpose=purpose)
    if purpose is Purpose.MARKETING:
        return state.granted
    return not state.withdrawn


def grant(
    session: Session,
    *,
    channel: Channel,
    address: str,
    purpose: Purpose,
    source: Source,
    wording: str,
    now: datetime,
    customer_id: Optional[int] = None,
) -> bool:
    """Record consent; returns False when it was already standing (nothing is added)."""
    address = normalize_address(channel, address, region=store_country(session))
    row = _open_record(session, channel, address, purpose)
    if row is not None and row.withdrawn_at is None:
        return False
    session.add(
        ConsentRecord(
            customer_id=customer_id if customer_id is not None else (row.customer_id if row else None),
            channel=channel.value,
            address=address,
            purpose=purpose.value,
            source=source.value,
            wording=wording,
            granted_at=now,
        )
    )
    session.flush()
    return True


def withdraw(
    session: Session,
    *,
    channel: Channel,
    address: str,
    purpose: Purpose,
    source: Source,
    now: datetime,
    wording: str = "",
) -> bool:
    """Withdraw consent at once; returns False when there was none standing.

    A withdrawal without an earlier grant (STOP from someone the ledger does not know, a "no" to
    the assistant's question, whose ``wording`` is kept) is still recorded, as a row closed at
    once, so that a later import cannot grant what the shopper refused.
    """
    address = normalize_address(channel, address, region=store_country(session))
    row = _open_record(session, channel, address, purpose)
    if row is not None and row.withdrawn_at is not None:
        return False
    if row is None:
        row = ConsentRecord(
            channel=channel.value,
            address=address,
            purpose=purpose.value,
            source=source.value,
            wording=wording,
            granted_at=now,
        )
        session.add(row)
    row.withdrawn_at, row.withdrawal_source = now, source.value
    session.flush()
    return True


def may_ask(
    session: Session, *, channel: Channel, address: str, now: datetime, ask_again_after: timedelta
) -> bool:
    """Whether the assistant may ask for marketing consent on this address now.

    Not when it stands already, and not within ``ask_again_after`` of a no (a refusal in the
    chat, a STOP, an opt-out the provider reported): the shopper is asked once, never nagged.
    """
    state = consent_state(session, channel=channel, address=address, purpose=Purpose.MARKETING)
    if state.granted:
        return False
    return not (state.withdrawn_at is not None and now - state.withdrawn_at < ask_again_after)


def withdraw_marketing(
    session: Session, *, contacts: Iterable[tuple[Channel, str]], source: Source, now: datetime
) -> int:
    """Withdraw marketing consent on every one of a shopper's ``contacts``; how many changed."""
    seen: set[tuple[Channel, str]] = set()
    changed = 0
    for channel, address in contacts:
        key = (channel, normalize_address(channel, address, region=store_country(session)))
        if not address or key in seen:
            continue
        seen.add(key)
        changed += withdraw(
            session, channel=channel, address=address, purpose=Purpose.MARKETING, source=source, now=now
        )
    return changed


def seed_from_customers(session: Session, *, now: datetime) -> int:
    """Grant marketing consent the store's customer records show (Shopify's "accepts marketing").

    Only addresses the ledger has never seen are seeded: a withdrawal recorded here wins over a
    re-import. Ledger rows of an address are linked to the customer who has it now (an import
    gives customers new ids). Returns how many grants were added.
    """
    region = store_country(session)
    added = 0
    for customer in session.execute(select(Customer).order_by(Customer.id)).scalars():
        wanted = [
            (Channel.EMAIL, customer.email, customer.accepts_email_marketing),
            (Channel.SMS, customer.phone, customer.accepts_sms_marketing),
            (Channel.WHATSAPP, customer.phone, customer.accepts_whatsapp_marketing),
        ]
        for channel, raw, accepted in wanted:
            if not raw:
                continue
            address = normalize_address(channel, raw, region=region)
            session.execute(
                update(ConsentRecord)
                .where(
                    ConsentRecord.channel == channel.value,
                    ConsentRecord.address == address,
                    ConsentRecord.customer_id.is_(None),
                )
                .values(customer_id=customer.id)
            )
            if not accepted or _open_record(session, channel, address, Purpose.MARKETING) is not None:
                continue
            session.add(
                ConsentRecord(
                    customer_id=customer.id,
                    channel=channel.value,
                    address=address,
                    purpose=Purpose.MARKETING.value,
                    source=Source.SHOPIFY_IMPORT.value,
                    wording=IMPORTED_WORDING,
                    granted_at=customer.created_at or now,
                )
            )
            added += 1
    session.flush()
    return added


def history(session: Session, *, channel: Channel, address: str) -> list[ConsentRecord]:
    """Every ledger row for an address on a channel, oldest first (for the console and audits)."""
    address = normalize_address(channel, address, region=store_country(session))
    return list(
        session.execute(
            select(ConsentRecord)
            .where(ConsentRecord.channel == channel.value, ConsentRecord.address == address)
            .order_by(ConsentRecord.granted_at, ConsentRecord.id)
        ).scalars()
    )
