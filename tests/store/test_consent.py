"""The consent ledger and the keywords: grants, withdrawals, history, imported consent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from store.consent import (
    IMPORTED_WORDING,
    Channel,
    Purpose,
    Source,
    consent_state,
    grant,
    history,
    may_message,
    seed_from_customers,
    withdraw,
)
from store.keywords import Keyword, Outcome, apply_keyword, keyword_of
from store.models import ConsentRecord, Customer
from tests.store.conftest import NOW

PHONE = "+15555550142"


def test_imported_marketing_consent_seeds_the_ledger(session):
    rows = (
        session.execute(select(ConsentRecord).where(ConsentRecord.source == "shopify_import")).scalars().all()
    )
    customers = session.execute(select(Customer)).scalars().all()
    expected = sum(c.accepts_email_marketing and bool(c.email) for c in customers)
    assert expected > 0
    assert sum(row.channel == "email" for row in rows) == expected
    ava = next(c for c in customers if c.accepts_whatsapp_marketing and c.phone)
    assert may_message(session, channel=Channel.WHATSAPP, address=ava.phone, purpose=Purpose.MARKETING)
    assert all(row.wording == IMPORTED_WORDING and row.customer_id is not None for row in rows)
    refused = next(c for c in customers if not c.accepts_email_marketing and c.email)
    assert not may_message(session, channel=Channel.EMAIL, address=refused.email, purpose=Purpose.MARKETING)
    # seeding again adds nothing
    assert seed_from_customers(session, now=NOW) == 0


def test_a_withdrawal_survives_a_new_seed(session):
    customer = session.execute(
        select(Customer).where(Customer.accepts_email_marketing.is_(True)).limit(1)
    ).scalar_one()
    assert withdraw(session, channel=Channel.EMAIL, address=customer.email.upper(), purpose=Purpose.MARKETING,
                    source=Source.AGENT, now=NOW)  # fmt: skip
    assert seed_from_customers(session, now=NOW) == 0
    assert not may_message(session, channel=Channel.EMAIL, address=customer.email, purpose=Purpose.MARKETING)


def test_grant_withdraw_and_history(session):
    common = {"channel": Channel.WHATSAPP, "address": "1 (555) 555-0142", "purpose": Purpose.MARKETING}
    assert not may_message(session, **common)
    # service messages need no grant: the shopper's own order
    assert may_message(session, channel=Channel.WHATSAPP, address=PHONE, purpose=Purpose.SERVICE)
    assert grant(session, **common, source=Source.CHAT, wording="Can I message you offers here?", now=NOW)
    assert not grant(session, **common, source=Source.CHAT, wording="again", now=NOW)  # already standing
    assert may_message(session, channel=Channel.WHATSAPP, address=PHONE, purpose=Purpose.MARKETING)
    later = NOW + timedelta(days=2)
    assert withdraw(session, **common, source=Source.KEYWORD, now=later)
    assert not withdraw(session, **common, source=Source.KEYWORD, now=later)
    state = consent_state(session, **common)
    assert (state.granted, state.withdrawn, state.withdrawn_at) == (False, True, later)
    [row] = history(session, channel=Channel.WHATSAPP, address=PHONE)
    assert (row.address, row.source, row.wording, row.withdrawal_source) == (
        PHONE,
        "chat",
        "Can I message you offers here?",
        "keyword",
    )


def test_stop_from_an_unknown_number_is_recorded(session):
    common = {"channel": Channel.SMS, "address": "+15555550199", "purpose": Purpose.MARKETING}
    assert withdraw(session, **common, source=Source.KEYWORD, now=NOW)
    assert consent_state(session, **common).withdrawn


@pytest.mark.parametrize(
    ("text", "channel", "expected"),
    [
        ("STOP", Channel.WHATSAPP, Keyword.OPT_OUT),
        (" stopall ", Channel.SMS, Keyword.OPT_OUT),
        ("Unsubscribe.", Channel.WHATSAPP, Keyword.OPT_OUT),
        ("cancel", Channel.SMS, Keyword.OPT_OUT),
        ("END", Channel.SMS, Keyword.OPT_OUT),
        ("Quit!", Channel.WHATSAPP, Keyword.OPT_OUT),
        ("START", Channel.WHATSAPP, Keyword.OPT_IN),
        ("unstop", Channel.SMS, Keyword.OPT_IN),
        ("yes", Channel.SMS, Keyword.OPT_IN),
        ("yes", Channel.WHATSAPP, None),  # an answer to the bot's question there
        ("HELP", Channel.WHATSAPP, Keyword.HELP),
        ("please stop texting me", Channel.SMS, None),
        ("cancel my order", Channel.WHATSAPP, None),
        ("", Channel.SMS, None),
        (None, Channel.SMS, None),
    ],
)
def test_only_a_single_keyword_word_counts(text, channel, expected):
    assert keyword_of(text, channel=channel) is expected


def test_stop_is_confirmed_once_and_start_gives_it_back(session):
    grant(session, channel=Channel.WHATSAPP, address=PHONE, purpose=Purpose.MARKETING, source=Source.CHAT,
          wording="ok", now=NOW)  # fmt: skip
    common = {"channel": Channel.WHATSAPP, "address": PHONE, "now": NOW}
    first = apply_keyword(session, keyword=Keyword.OPT_OUT, word="STOP", **common)
    second = apply_keyword(session, keyword=Keyword.OPT_OUT, word="STOP", **common)
    assert (first.outcome, first.response) == (Outcome.OPTED_OUT, "utter_opted_out")
    assert (second.outcome, second.response) == (Outcome.ALREADY_OPTED_OUT, None)
    assert not may_message(session, channel=Channel.WHATSAPP, address=PHONE, purpose=Purpose.MARKETING)
    # WhatsApp STOP stops marketing; updates on the shopper's own orders still go
    assert may_message(session, channel=Channel.WHATSAPP, address=PHONE, purpose=Purpose.SERVICE)
    back = apply_keyword(session, keyword=Keyword.OPT_IN, word="START", **common)
    assert back.outcome is Outcome.OPTED_IN
    assert may_message(session, channel=Channel.WHATSAPP, address=PHONE, purpose=Purpose.MARKETING)
    assert (
        history(session, channel=Channel.WHATSAPP, address=PHONE)[-1].wording
        == "Shopper sent 'START' to receive messages again"
    )


def test_sms_stop_stops_every_text(session):
    apply_keyword(session, keyword=Keyword.OPT_OUT, word="stop", channel=Channel.SMS, address=PHONE, now=NOW)
    for purpose in Purpose:
        assert not may_message(session, channel=Channel.SMS, address=PHONE, purpose=purpose)
    apply_keyword(session, keyword=Keyword.OPT_IN, word="start", channel=Channel.SMS, address=PHONE, now=NOW)
    for purpose in Purpose:
        assert may_message(session, channel=Channel.SMS, address=PHONE, purpose=purpose)
