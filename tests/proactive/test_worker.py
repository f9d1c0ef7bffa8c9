"""The worker against fake WhatsApp Graph, Twilio and SMTP servers: exact requests, retries, opt-outs."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from core import clock
from core.responses import response_text
from integrations.proactive.worker import Worker
from store.channel_contacts import note_inbound
from store.consent import Channel, Purpose, Source, consent_state, grant
from store.models import OutboxMessage
from store.triggers import scan_order_updates
from tests.proactive.conftest import CALLBACK, NOW, OUR_NUMBER
from tests.proactive.test_outbox import queue


async def run(worker: Worker, at=NOW) -> int:
    with clock.pinned(at):
        return await asyncio.to_thread(worker.run_once)


def rows(db) -> dict[str, OutboxMessage]:
    db.expire_all()
    return {row.idempotency_key.split(":")[2]: row for row in db.execute(select(OutboxMessage)).scalars()}


async def test_each_channel_gets_exactly_the_request_its_api_documents(db, worker, graph, twilio, smtp):
    shipped = {"order": "#1001", "carrier": "UPS", "tracking": "https://ups.example/1Z999"}
    queue(db, "1001", recipient="+12125550100", params=shipped)  # WhatsApp, window closed: utility template
    grant(
        db,
        channel=Channel.SMS,
        address="+12125550111",
        purpose=Purpose.MARKETING,
        source=Source.CHAT,
        wording="Text me when it's back",
        now=NOW,
    )
    stock = {"product": "Trail Sock", "variant": "M / Blue", "url": "https://shop.example/p/trail-sock"}
    queue(
        db,
        "SKU-1",
        trigger="back_in_stock",
        purpose="marketing",
        channel="sms",
        recipient="+12125550111",
        response="utter_proactive_back_in_stock",
        params=stock,
    )
    delivered = {"order": "#1002", "return_by": "July 11"}
    queue(
        db,
        "1002",
        trigger="order_delivered",
        channel="email",
        recipient="ava@example.com",
        response="utter_proactive_order_delivered",
        params=delivered,
    )
    db.commit()
    assert await run(worker) == 3

    shipped_text = response_text("utter_proactive_order_shipped", "whatsapp", shipped)
    assert graph.messages() == [
        {
            "messaging_product": "whatsapp",
            "to": "12125550100",
            "type": "template",
            "template": {
                "name": "order_shipped",
                "language": {"code": "en_US"},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": shipped_text}]}],
            },
        }
    ]
    body = (
        "Northwind: "
        + response_text("utter_proactive_back_in_stock", "sms", stock)
        + "\nReply STOP to opt out."
    )
    assert twilio.messages() == [
        {"To": ["+12125550111"], "From": [OUR_NUMBER], "Body": [body], "StatusCallback": [CALLBACK]}
    ]
    [mail] = smtp.received
    assert (mail.mail_from, mail.rcpt_tos) == ("shop@northwind.example", ["ava@example.com"])
    assert mail.message["Subject"] == "Your order #1002 has arrived"
    assert mail.message["List-Unsubscribe"] == "<mailto:help@northwind.example?subject=unsubscribe>"
    text = mail.message.get_content()
    assert text.startswith(response_text("utter_proactive_order_delivered", "email", delivered))
    assert "To stop these emails, write to help@northwind-outfitters.example" in text
    sent = rows(db)
    assert {key: (row.status, row.attempts) for key, row in sent.items()} == {
        "1001": ("sent", 1),
        "SKU-1": ("sent", 1),
        "1002": ("sent", 1),
    }
    assert sent["1001"].provider_message_id == "wamid.fake1"
    assert sent["SKU-1"].provider_message_id.startswith("SM")
    assert await run(worker, NOW + timedelta(hours=1)) == 0  # nothing is sent twice


async def test_an_outage_is_retried_with_backoff(db, worker, twilio):
    grant(
        db,
        channel=Channel.SMS,
        address="+12125550111",
        purpose=Purpose.SERVICE,
        source=Source.CHAT,
        wording="ok",
        now=NOW,
    )
    queue(
        db,
        "1001",
        channel="sms",
        recipient="+12125550111",
        params={"order": "#1001", "carrier": "UPS", "tracking": "t"},
    )
    db.commit()
    twilio.unavailable = True
    await run(worker)
    row = rows(db)["1001"]
    assert (row.status, row.attempts, row.due_at) == ("queued", 1, NOW + timedelta(seconds=60))
    assert row.reason.startswith("retrying: Twilio answered 503")
    assert await run(worker, NOW + timedelta(seconds=30)) == 0  # not due yet
    twilio.unavailable = False
    await run(worker, NOW + timedelta(seconds=61))
    row = rows(db)["1001"]
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(twilio.requests) == 2 and len(twilio.accepted()) == 1


async def test_a_provider_opt_out_withdraws_consent_and_is_not_retried(db, worker, graph):
    phone = "+4915112345678"
    grant(
        db,
        channel=Channel.WHATSAPP,
        address=phone,
        purpose=Purpose.MARKETING,
        source=Source.CHAT,
        wording="ok",
        now=NOW,
    )
    queue(
        db,
        "SKU-1",
        trigger="back_in_stock",
        purpose="marketing",
        recipient=phone,
        response="utter_proactive_back_in_stock",
        params={"product": "Sock", "variant": "M", "url": "u"},
    )
    db.commit()
    graph.fail_next(400, 131050, "Unable to deliver message: the user stopped marketing messages")
    await run(worker)  # 18:00 in Berlin
    row = rows(db)["SKU-1"]
    assert row.status == "failed" and "131050" in row.reason
    assert consent_state(db, channel=Channel.WHATSAPP, address=phone, purpose=Purpose.MARKETING).withdrawn
    assert await run(worker, NOW + timedelta(hours=2)) == 0


async def test_a_message_held_for_the_night_goes_in_the_morning(db, worker, graph):
    phone = "+12125550100"
    grant(
        db,
        channel=Channel.WHATSAPP,
        address=phone,
        purpose=Purpose.MARKETING,
        source=Source.CHAT,
        wording="ok",
        now=NOW,
    )
    night = NOW.replace(hour=3)  # 23:00 in New York
    queue(
        db,
        "SKU-1",
        trigger="back_in_stock",
        purpose="marketing",
        recipient=phone,
        due_at=night,
        response="utter_proactive_back_in_stock",
        params={"product": "Sock", "variant": "M", "url": "u"},
    )
    db.commit()
    await run(worker, night)
    row = rows(db)["SKU-1"]
    assert (row.status, row.reason, row.due_at) == ("held", "quiet_hours", NOW.replace(hour=12))
    assert graph.requests == []
    # the shopper wrote in the morning (the WhatsApp window is open): at 08:00 in New York it goes
    note_inbound(
        db,
        channel=Channel.WHATSAPP,
        address=phone,
        conversation_id="whatsapp:12125550100",
        now=NOW.replace(hour=11),
    )
    db.commit()
    await run(worker, NOW.replace(hour=12))
    row = rows(db)["SKU-1"]
    assert (row.status, row.attempts) == ("sent", 1)  # holding is not an attempt
    assert [message["type"] for message in graph.messages()] == ["text"]


def test_the_time_based_triggers_never_scan_the_sample_store(db, engine, worker):
    # the sample store's customers are made up: a demo with real credentials must not message them
    assert scan_order_updates(db, now=NOW) != []  # there would be something to send
    db.rollback()
    with clock.pinned(NOW):
        assert worker.scan_triggers() == 0
    assert rows(db) == {}
