"""Email as the fallback channel: where WhatsApp or SMS cannot carry a message and the shopper
agreed to email, the worker sends it by email (fake SMTP server) instead of holding it, and the
outbox says which channel it used and why it switched.

Ben (a sample customer) has a New York number without WhatsApp consent and accepts email
marketing (imported from the store's customer records).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.responses import response_text
from core.settings import PROJECT_ROOT
from store.consent import Channel, Purpose, Source, consent_state, grant, withdraw
from store.models import Customer
from store.outbox import list_messages
from tests.proactive.conftest import NOW
from tests.proactive.test_outbox import queue
from tests.proactive.test_worker import rows, run

BEN_EMAIL, BEN_PHONE = "ben.buyer@example.com", "+12125550102"
REMINDER = {"product": "Merino Trail Socks", "weeks": "9"}
FOOTER = (
    "You get this email because you agreed to hear from Northwind. To stop these emails, write to"
    " help@northwind-outfitters.example."
)


@pytest.fixture
def ben(db) -> Customer:
    customer = db.execute(select(Customer).where(Customer.email == BEN_EMAIL)).scalar_one()
    state = consent_state(db, channel=Channel.EMAIL, address=BEN_EMAIL, purpose=Purpose.MARKETING)
    assert state.granted and state.source == "shopify_import"
    assert not consent_state(
        db, channel=Channel.WHATSAPP, address=BEN_PHONE, purpose=Purpose.MARKETING
    ).granted
    return customer


def reminder(db, customer: Customer, **overrides):
    fields = dict(
        trigger="replenishment", purpose="marketing", channel="whatsapp", recipient=BEN_PHONE,
        response="utter_proactive_replenishment", params=REMINDER, customer_id=customer.id,
    )  # fmt: skip
    return queue(db, "socks", **{**fields, **overrides})


def grant_whatsapp(db) -> None:
    grant(db, channel=Channel.WHATSAPP, address=BEN_PHONE, purpose=Purpose.MARKETING, source=Source.CHAT,
          wording="Offers on WhatsApp?", now=NOW - timedelta(days=3))  # fmt: skip


def the_mail(smtp) -> tuple:
    [mail] = smtp.received
    return mail.mail_from, mail.rcpt_tos, mail.message


def body(message) -> str:
    """The plain-text body with SMTP's CRLF line ends read as newlines."""
    return message.get_content().replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda db: None, "no_consent"),  # no WhatsApp consent at all
        (grant_whatsapp, "us_marketing_template_pause"),  # consented, window closed, +1 pause
    ],
)
async def test_a_reminder_whatsapp_cannot_carry_goes_by_email(
    db, ben, worker, graph, smtp, setup, reason
) -> None:
    setup(db)
    reminder(db, ben)
    db.commit()
    assert await run(worker) == 1
    assert graph.requests == []
    mail_from, rcpt_tos, message = the_mail(smtp)
    assert (mail_from, rcpt_tos) == ("shop@northwind.example", [BEN_EMAIL])
    assert (message["From"], message["To"]) == ("shop@northwind.example", BEN_EMAIL)
    assert message["Subject"] == "Time to restock Merino Trail Socks?"
    assert message["List-Unsubscribe"] == "<mailto:help@northwind.example?subject=unsubscribe>"
    assert body(message) == (
        "It's been about 9 weeks since you ordered Merino Trail Socks. Running low? Reply here and I'll help"
        f" you order more.\n\n--\n{FOOTER}\n"
    )
    assert body(message).startswith(response_text("utter_proactive_replenishment", "email", REMINDER))
    row = rows(db)["socks"]
    assert (row.status, row.channel, row.recipient, row.attempts) == ("sent", "email", BEN_EMAIL, 1)
    assert row.reason == f"email_fallback from whatsapp: {reason}"
    [view] = list_messages(db)
    assert (view.channel, view.status, view.fallback_from, view.fallback_reason) == (
        "email", "sent", f"whatsapp:{BEN_PHONE}", reason,
    )  # fmt: skip
    assert await run(worker, NOW + timedelta(hours=1)) == 0  # never twice
    assert len(smtp.received) == 1


async def test_an_order_update_without_a_number_goes_by_email(db, ben, worker, graph, twilio, smtp) -> None:
    shipped = {"order": "#1001", "carrier": "UPS", "tracking": "https://ups.example/1Z999"}
    queue(db, "1001", channel="sms", recipient="not a number", params=shipped, customer_id=ben.id)
    db.commit()
    await run(worker)
    assert twilio.requests == [] and graph.requests == []
    _, rcpt_tos, message = the_mail(smtp)
    assert rcpt_tos == [BEN_EMAIL] and message["Subject"] == "Your order #1001 is on its way"
    assert body(message) == (
        response_text("utter_proactive_order_shipped", "email", shipped) + f"\n\n--\n{FOOTER}\n"
    )
    assert rows(db)["1001"].reason == "email_fallback from sms: no_phone_number"


async def test_without_email_consent_the_message_is_skipped_as_before(db, ben, worker, graph, smtp) -> None:
    withdraw(
        db, channel=Channel.EMAIL, address=BEN_EMAIL, purpose=Purpose.MARKETING, source=Source.CHAT, now=NOW
    )
    reminder(db, ben)
    db.commit()
    await run(worker)
    row = rows(db)["socks"]
    assert (row.status, row.channel, row.recipient, row.reason) == (
        "skipped",
        "whatsapp",
        BEN_PHONE,
        "no_consent",
    )
    assert smtp.received == [] and graph.requests == []
    assert list_messages(db)[0].fallback_from is None


async def test_a_stop_on_whatsapp_is_not_routed_around_by_email(db, ben, worker, graph, smtp) -> None:
    grant_whatsapp(db)
    stop = dict(channel=Channel.WHATSAPP, address=BEN_PHONE, purpose=Purpose.MARKETING, source=Source.KEYWORD)
    withdraw(db, now=NOW - timedelta(days=1), **stop)  # type: ignore[arg-type]
    reminder(db, ben)
    db.commit()
    await run(worker)
    assert rows(db)["socks"].reason == "consent_withdrawn" and smtp.received == []


async def test_a_requested_alert_needs_email_consent_to_switch(db, worker, graph, smtp) -> None:
    # Ava asked for one WhatsApp message (the alert): that is not consent to email her
    stock = {
        "product": "Trail Sock",
        "variant": "M / Blue",
        "url": "u",
        "requested": "back_in_stock_subscription:1",
    }
    ava = db.execute(select(Customer).where(Customer.email == "ava.shopper@example.com")).scalar_one()
    withdraw(
        db, channel=Channel.EMAIL, address=ava.email, purpose=Purpose.MARKETING, source=Source.CHAT, now=NOW
    )
    queue(db, "SKU-1", trigger="back_in_stock", purpose="marketing", recipient="+14155550101",
          response="utter_proactive_back_in_stock", params=stock)  # fmt: skip
    db.commit()
    await run(worker)
    row = rows(db)["SKU-1"]
    assert (row.status, row.reason) == ("skipped", "us_marketing_template_pause")
    assert smtp.received == []


async def test_the_email_waits_for_the_shoppers_morning(db, ben, worker, graph, smtp) -> None:
    night = NOW.replace(hour=3)  # 23:00 in New York (Ben's orders ship in the US, the store's zone)
    reminder(db, ben, due_at=night)
    db.commit()
    await run(worker, night)
    row = rows(db)["socks"]
    assert (row.status, row.channel, row.due_at) == ("held", "email", NOW.replace(hour=12))
    assert row.reason == "quiet_hours (email_fallback from whatsapp: no_consent)"
    assert smtp.received == []
    assert await run(worker, NOW.replace(hour=11, minute=59)) == 0  # 07:59 in New York: not due
    await run(worker, NOW.replace(hour=12))
    row = rows(db)["socks"]
    assert (row.status, row.reason, row.attempts) == ("sent", "email_fallback from whatsapp: no_consent", 1)
    assert the_mail(smtp)[1] == [BEN_EMAIL]


def test_the_outbox_list_shows_the_channel_used_and_why(db, ben, engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the command reads one store; the SQLite copy shows the same columns")
    row = reminder(db, ben)
    row.channel, row.recipient, row.status = "email", BEN_EMAIL, "sent"
    row.reason = "email_fallback from whatsapp: no_consent"
    row.params = {
        **REMINDER,
        "fallback": {"channel": "whatsapp", "recipient": BEN_PHONE, "reason": "no_consent"},
    }
    db.commit()
    result = subprocess.run(
        [sys.executable, "-m", "store", "outbox", "list", "--json"], cwd=PROJECT_ROOT, capture_output=True,
        text=True, env={**os.environ, "DATABASE_URL": str(engine.url)}, check=True,
    )  # fmt: skip
    [shown] = [json.loads(line) for line in result.stdout.splitlines()]
    expected = {
        "trigger": "replenishment",
        "channel": "email",
        "recipient": BEN_EMAIL,
        "status": "sent",
        "reason": "email_fallback from whatsapp: no_consent",
        "fallback_from": f"whatsapp:{BEN_PHONE}",
        "fallback_reason": "no_consent",
    }
    assert {key: shown[key] for key in expected} == expected
