"""The send rules with a controlled clock: quiet hours in two time zones, caps, consent, WhatsApp."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from store.channel_contacts import note_inbound
from store.consent import Channel, Purpose, Source, grant, withdraw
from store.messaging_config import messaging_config
from store.outbox import Status, claim, finish, start_sending, worker_name
from store.outbox_rules import Decision, decide
from tests.proactive.test_outbox import LEASE, queue

NEW_YORK = "+12125550100"  # America/New_York, default rules 08:00-21:00, 2 marketing a week
BERLIN = "+4915112345678"  # Europe/Berlin, market DE: 09:00-20:00, 1 marketing a week
UTC = timezone.utc


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def consented(db, phone: str, channel: Channel = Channel.WHATSAPP) -> None:
    grant(
        db,
        channel=channel,
        address=phone,
        purpose=Purpose.MARKETING,
        source=Source.CHAT,
        wording="Can we message you about restocks here?",
        now=at("2025-06-01 12:00"),
    )


def marketing(db, phone: str, object_id: str = "SKU-1", channel: str = "whatsapp", **extra):
    return queue(
        db,
        object_id,
        trigger="back_in_stock",
        purpose="marketing",
        recipient=phone,
        channel=channel,
        response="utter_proactive_back_in_stock",
        **extra,
    )


def window(db, phone: str, now: datetime) -> None:
    note_inbound(
        db, channel=Channel.WHATSAPP, address=phone, conversation_id=f"whatsapp:{phone[1:]}", now=now
    )


@pytest.mark.parametrize(
    ("now", "phone", "expected"),
    [
        # 12:00 in New York, 18:00 in Berlin: both may get it
        ("2025-06-11 16:00", NEW_YORK, Decision("send")),
        ("2025-06-11 16:00", BERLIN, Decision("send")),
        # 21:30 in New York: wait for 08:00 there; 03:30 in Berlin: wait for 09:00 (DE)
        ("2025-06-12 01:30", NEW_YORK, Decision("hold", "quiet_hours", at("2025-06-12 12:00"))),
        ("2025-06-12 01:30", BERLIN, Decision("hold", "quiet_hours", at("2025-06-12 07:00"))),
        # 20:30 in Berlin is past the DE market's 20:00, though inside the default 21:00
        ("2025-06-11 18:30", BERLIN, Decision("hold", "quiet_hours", at("2025-06-12 07:00"))),
        ("2025-06-11 18:30", NEW_YORK, Decision("send")),
    ],
)
def test_marketing_waits_for_daytime_in_the_recipients_time_zone(db, now, phone, expected):
    consented(db, phone)
    window(db, phone, at(now) - timedelta(hours=1))
    message = marketing(db, phone)
    decision = decide(db, message, now=at(now), config=messaging_config(db))
    assert decision == expected
    if expected.until is not None:
        assert decision.until.astimezone(UTC) == expected.until


def test_service_messages_ignore_quiet_hours_and_caps(db):
    window(db, NEW_YORK, at("2025-06-12 06:00"))
    message = queue(db, "1001", recipient=NEW_YORK)  # order_shipped, service, no marketing consent needed
    assert decide(db, message, now=at("2025-06-12 07:00"), config=messaging_config(db)) == Decision(
        "send"
    )  # 3am


def sent(db, message, when: datetime) -> None:
    worker = worker_name()
    db.flush()
    claim(db, worker=worker, now=when, lease=LEASE)
    start_sending(db, message_id=message.id, worker=worker)
    finish(
        db,
        message_id=message.id,
        worker=worker,
        status=Status.SENT,
        now=when,
        provider_message_id=f"m{message.id}",
    )


def test_the_weekly_marketing_cap_per_market(db):
    config = messaging_config(db)
    now = at("2025-06-11 16:00")
    for phone in (BERLIN, NEW_YORK):
        consented(db, phone)
        window(db, phone, now)
    sent(db, marketing(db, BERLIN, "A", due_at=now - timedelta(days=2)), now - timedelta(days=2))
    assert decide(db, marketing(db, BERLIN, "B"), now=now, config=config) == Decision(
        "hold", "weekly_cap", now + timedelta(days=5)
    )
    sent(db, marketing(db, NEW_YORK, "A", due_at=now - timedelta(days=3)), now - timedelta(days=3))
    assert decide(db, marketing(db, NEW_YORK, "B"), now=now, config=config) == Decision("send")
    sent(db, marketing(db, NEW_YORK, "B2", due_at=now - timedelta(days=1)), now - timedelta(days=1))
    assert decide(db, marketing(db, NEW_YORK, "C"), now=now, config=config).reason == "weekly_cap"
    # a week after the first, there is room again
    later = now + timedelta(days=4, hours=1)
    window(db, NEW_YORK, later - timedelta(hours=1))
    assert decide(db, marketing(db, NEW_YORK, "D"), now=later, config=config) == Decision("send")


def test_missing_or_withdrawn_consent_skips_marketing(db):
    config, now = messaging_config(db), at("2025-06-11 16:00")
    window(db, NEW_YORK, now)
    assert decide(db, marketing(db, NEW_YORK, "A"), now=now, config=config) == Decision("skip", "no_consent")
    consented(db, NEW_YORK)
    assert decide(db, marketing(db, NEW_YORK, "B"), now=now, config=config) == Decision("send")
    withdraw(
        db,
        channel=Channel.WHATSAPP,
        address=NEW_YORK,
        purpose=Purpose.MARKETING,
        source=Source.KEYWORD,
        now=now,
    )
    assert decide(db, marketing(db, NEW_YORK, "C"), now=now, config=config) == Decision(
        "skip", "consent_withdrawn"
    )
    # consent on WhatsApp says nothing about SMS
    assert (
        decide(db, marketing(db, BERLIN, "D", channel="sms"), now=now, config=config).reason == "no_consent"
    )


def test_the_whatsapp_window_templates_by_category_and_the_plus_one_pause(db):
    config, now = messaging_config(db), at("2025-06-11 16:00")
    for phone in (NEW_YORK, BERLIN):
        consented(db, phone)
        window(db, phone, now - timedelta(hours=25))  # the window closed an hour ago
    utility, marketing_template = config.templates["order_shipped"], config.templates["back_in_stock"]
    assert (utility.category, marketing_template.category) == ("utility", "marketing")
    assert decide(db, queue(db, "1001", recipient=NEW_YORK), now=now, config=config) == Decision(
        "send", template=utility
    )
    assert decide(db, marketing(db, NEW_YORK, "A"), now=now, config=config) == Decision(
        "skip", "us_marketing_template_pause"
    )
    assert decide(db, marketing(db, BERLIN, "A"), now=now, config=config) == Decision(
        "send", template=marketing_template
    )
    paused_off = dataclasses.replace(config, pause_us_marketing_templates=False)
    assert decide(db, marketing(db, NEW_YORK, "B"), now=now, config=paused_off).template == marketing_template
    # a marketing template for an order update would be wrong: Meta bills and judges it as marketing
    wrong = dataclasses.replace(config, templates={**config.templates, "order_shipped": marketing_template})
    assert decide(db, queue(db, "1002", recipient=NEW_YORK), now=now, config=wrong).reason == (
        "template_category_marketing_not_utility"
    )
    # inside the window free text goes, no template
    window(db, NEW_YORK, now - timedelta(hours=23))
    assert decide(db, marketing(db, NEW_YORK, "C"), now=now, config=config) == Decision("send")


def test_a_trigger_switched_off_sends_nothing(db):
    config = messaging_config(db)
    off = dataclasses.replace(config, triggers={**config.triggers, "order_shipped": {"enabled": False}})
    assert decide(db, queue(db, "1001"), now=at("2025-06-11 16:00"), config=off) == Decision(
        "skip", "trigger_off"
    )
