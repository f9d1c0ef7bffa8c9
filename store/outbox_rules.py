"""Whether an outbox message may go now: consent, quiet hours, the weekly cap, channel rules.

Checked by the worker right before each send (consent can be withdrawn between the trigger and
the send). Marketing waits for the recipient's daytime (their phone number's time zone, else the
country they ship to, else the store's) and for room under the weekly cap; service messages (the
shopper's own order) are exempt from both but not from a withdrawal. A message the shopper asked
for (a back-in-stock alert: ``requested`` in its params) needs no standing consent, only none
withdrawn. On WhatsApp, outside the 24
hours after the shopper last wrote, only an approved template of the matching category may go,
and marketing templates are not sent to +1 numbers while Meta's pause lasts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import pytz
from phonenumbers import timezone as phone_timezones
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.channel_contacts import window_open
from store.consent import Channel, Purpose, consent_state, may_message
from store.contact import e164, normalize_email, phone_key
from store.info import store_country, store_timezone
from store.messaging_config import MessagingConfig, Template
from store.models import Customer, Order, OutboxMessage

WEEK = timedelta(days=7)
DELIVERED = ("sent", "delivered", "read")


@dataclass(frozen=True)
class Decision:
    """``send`` (with a WhatsApp ``template`` when the window is closed), ``hold`` until
    ``until``, or ``skip``; ``reason`` says why for the outbox list."""

    action: str
    reason: Optional[str] = None
    until: Optional[datetime] = None
    template: Optional[Template] = None


def _phone_place(recipient: str) -> tuple[Optional[str], Optional[ZoneInfo]]:
    try:
        number = phonenumbers.parse(recipient.removeprefix("whatsapp:"), None)
    except phonenumbers.NumberParseException:
        return None, None
    country = phonenumbers.region_code_for_number(number)
    zones = [z for z in phone_timezones.time_zones_for_number(number) if z != "Etc/Unknown"]
    return country, _zone(zones[0]) if len(zones) == 1 else None


def _zone(name: str) -> Optional[ZoneInfo]:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def recipient_place(session: Session, message: OutboxMessage) -> tuple[Optional[str], ZoneInfo]:
    """The recipient's country and time zone: the phone number's, else the country of the
    customer's latest shipping address (when it has one zone), else the store's."""
    country: Optional[str] = None
    zone: Optional[ZoneInfo] = None
    if message.channel in (Channel.SMS.value, Channel.WHATSAPP.value):
        country, zone = _phone_place(message.recipient)
    if country is None and message.customer_id is not None:
        country = session.execute(
            select(Order.shipping_country)
            .where(Order.customer_id == message.customer_id, Order.shipping_country.is_not(None))
            .order_by(Order.placed_at.desc())
            .limit(1)
        ).scalar_one_or_none()
    if zone is None and country and country != store_country(session):
        zones = pytz.country_timezones.get(country.upper(), [])
        zone = _zone(zones[0]) if len(zones) == 1 else None
    return country or store_country(session), zone or store_timezone(session)


def weekly_cap_for(session: Session, *, channel: Channel, address: str, config: MessagingConfig) -> int:
    """The weekly marketing cap that applies to ``address`` (its phone number's market, else the store's)."""
    country = _phone_place(address)[0] if channel in (Channel.SMS, Channel.WHATSAPP) else None
    return config.market(country or store_country(session)).weekly_marketing_cap


def quiet_until(local_now: datetime, start, end) -> Optional[datetime]:
    """None inside ``start``-``end`` local time, else the next ``start`` (aware, local)."""
    if start <= local_now.time() < end:
        return None
    day = local_now.date() if local_now.time() < start else local_now.date() + timedelta(days=1)
    return datetime.combine(day, start, tzinfo=local_now.tzinfo)


def _recent_marketing(session: Session, message: OutboxMessage, now: datetime) -> list[datetime]:
    who = (
        OutboxMessage.customer_id == message.customer_id
        if message.customer_id is not None
        else OutboxMessage.recipient == message.recipient
    )
    return list(
        session.execute(
            select(OutboxMessage.sent_at)
            .where(
                who,
                OutboxMessage.purpose == Purpose.MARKETING.value,
                OutboxMessage.status.in_(DELIVERED),
                OutboxMessage.sent_at > now - WEEK,
                OutboxMessage.id != message.id,
            )
            .order_by(OutboxMessage.sent_at)
        ).scalars()
    )


def decide(session: Session, message: OutboxMessage, *, now: datetime, config: MessagingConfig) -> Decision:
    """The rule that applies to ``message`` at ``now``, in the order a store team would check."""
    if not config.enabled(message.trigger):
        return Decision("skip", "trigger_off")
    channel, purpose = Channel(message.channel), Purpose(message.purpose)
    state = consent_state(session, channel=channel, address=message.recipient, purpose=purpose)
    requested = bool((message.params or {}).get("requested"))  # the shopper asked for this one message
    if state.withdrawn:
        return Decision("skip", "consent_withdrawn")
    if (
        channel in (Channel.SMS, Channel.WHATSAPP)
        and e164(message.recipient.removeprefix("whatsapp:"), store_country(session)) is None
    ):
        return Decision("skip", "no_phone_number")
    if not (requested or may_message(session, channel=channel, address=message.recipient, purpose=purpose)):
        return Decision("skip", "no_consent")
    country, zone = recipient_place(session, message)
    if purpose is Purpose.MARKETING:
        rules = config.market(country)
        later = quiet_until(now.astimezone(zone), rules.start, rules.end)
        if later is not None:
            return Decision("hold", "quiet_hours", until=later)
        sent = _recent_marketing(session, message, now)
        if len(sent) >= rules.weekly_marketing_cap:
            return Decision("hold", "weekly_cap", until=sent[len(sent) - rules.weekly_marketing_cap] + WEEK)
    if channel is Channel.WHATSAPP and not window_open(
        session, channel=channel, address=message.recipient, now=now
    ):
        template = config.templates.get(message.trigger)
        wanted = "utility" if purpose is Purpose.SERVICE else "marketing"
        if template is None:
            return Decision("skip", "window_closed_no_template")
        if template.category != wanted:
            return Decision("skip", f"template_category_{template.category}_not_{wanted}")
        if (
            wanted == "marketing"
            and config.pause_us_marketing_templates
            and message.recipient.startswith("+1")
        ):
            return Decision("skip", "us_marketing_template_pause")
        return Decision("send", template=template)
    return Decision("send")


# Why a message's own channel cannot carry it, where email may stand in. Not a withdrawal (the
# shopper said stop) and not quiet hours or the cap (they hold the shopper, not the channel).
EMAIL_FALLBACK_REASONS = frozenset(
    {"no_consent", "no_phone_number", "window_closed_no_template", "us_marketing_template_pause"}
)
FALLBACK_PREFIX = "email_fallback"


def falls_back_to_email(reason: Optional[str]) -> bool:
    """Whether a skip for ``reason`` may go by email instead."""
    if not reason:
        return False
    return (
        reason in EMAIL_FALLBACK_REASONS
        or reason.startswith("template_category_")
        or (reason.startswith("no_") and reason.endswith("_provider_configured"))
    )


def fallback_email(session: Session, message: OutboxMessage) -> Optional[str]:
    """The email of the shopper a message is for: its customer's, else the customer with its number,
    else its order's."""
    customer = session.get(Customer, message.customer_id) if message.customer_id is not None else None
    if customer is None and message.channel in (Channel.SMS.value, Channel.WHATSAPP.value):
        key = phone_key(message.recipient)
        found = (
            session.execute(
                select(Customer)
                .where(Customer.phone_key == key, Customer.email.is_not(None))
                .order_by(Customer.id)
            )
            .scalars()
            .first()
            if key
            else None
        )
        customer = found
    if customer is not None and customer.email:
        return normalize_email(customer.email)
    order_name = (message.params or {}).get("order")
    if order_name:
        email = session.execute(select(Order.email).where(Order.name == order_name)).scalar_one_or_none()
        return normalize_email(email) if email else None
    return None


def reroute_to_email(
    session: Session, message: OutboxMessage, decision: Decision, *, now: datetime, config: MessagingConfig
) -> Decision:
    """Send by email a message its own channel cannot carry, where the shopper may get it there.

    When ``decision`` skipped the message for a channel reason (:func:`falls_back_to_email`), the
    store's ``email_fallback`` is on and the shopper's email passes every rule for the same purpose
    (consent there, quiet hours, the cap), the message is moved to email (its ``channel`` and
    ``recipient`` change; the old ones and the reason are kept in ``params["fallback"]``) and the
    email's decision is returned with the reason of the switch. Otherwise ``decision`` as it was,
    and the message unchanged.
    """
    if (
        not config.email_fallback
        or decision.action != "skip"
        or message.channel == Channel.EMAIL.value
        or not falls_back_to_email(decision.reason)
    ):
        return decision
    email = fallback_email(session, message)
    if email is None:
        return decision
    # consent on email itself: a back-in-stock alert the shopper asked for on WhatsApp is not one
    # they asked for by email
    if message.purpose == Purpose.MARKETING.value and not may_message(
        session, channel=Channel.EMAIL, address=email, purpose=Purpose.MARKETING
    ):
        return decision
    before = (message.channel, message.recipient)
    message.channel, message.recipient = Channel.EMAIL.value, email
    by_email = decide(session, message, now=now, config=config)
    if by_email.action == "skip":
        message.channel, message.recipient = before
        return decision
    message.params = {
        **(message.params or {}),
        "fallback": {"channel": before[0], "recipient": before[1], "reason": decision.reason},
    }
    reason = f"{FALLBACK_PREFIX} from {before[0]}: {decision.reason}"
    if by_email.action == "hold":
        reason = f"{by_email.reason} ({reason})"
    return Decision(by_email.action, reason, until=by_email.until)


__all__ = [
    "Decision",
    "decide",
    "fallback_email",
    "falls_back_to_email",
    "quiet_until",
    "recipient_place",
    "reroute_to_email",
    "weekly_cap_for",
]
