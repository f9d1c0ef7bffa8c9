"""Marketing consent in the chat: asked once after a back-in-stock yes, answered with buttons or
typed words, recorded in the ledger with the words shown; never asked again soon after a no;
"stop sending me offers" withdraws it (each test on a private copy of the sample store)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.back_in_stock import ActionBackInStockSubscribe, ValidateBackInStockForm
from actions.marketing_consent import ActionAskMarketingConsent, ActionWithdrawMarketingConsent
from core import clock
from store.consent import Channel, Purpose, Source, consent_state, grant, history, withdraw
from store.db import make_engine, session_scope
from tests.actions.catalog_support import DOMAIN, make_tracker, said
from tests.actions.test_back_in_stock import skus  # noqa: F401 (fixture: the sold-out SKUs, read from the store)

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)
ANNA = "anna@example.com"
ASKED = (
    "One more thing: besides this alert, would you like occasional offers and reminders from us at "
    'anna@example.com? At most 2 a week, and you can say "stop sending me offers" at any time.'
)
OFFER = {"channel": "email", "address": ANNA, "contact": ANNA, "weekly_cap": 2}
TARGET = {"product": "harbor-rain-shell", "title": "Harbor Rain Shell", "variant": "XL / Black", "size": "XL",
          "color": "Black"}  # fmt: skip


def ledger(url: str, channel: Channel, address: str) -> list:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return [
                (r.purpose, r.source, r.wording, r.granted_at, r.withdrawn_at, r.withdrawal_source)
                for r in history(session, channel=channel, address=address)
            ]
    finally:
        engine.dispose()


def write(url: str, change, **kwargs: Any) -> None:
    engine = make_engine(url)
    with session_scope(engine) as session:
        change(session, **kwargs)
    engine.dispose()


async def after_yes(contact: str = ANNA, sender: str = "shopper-1") -> Dict[str, Any]:
    """What the form's validator sets when the shopper says yes to the alert."""
    tracker = make_tracker(slots={"alert_contact": contact}, active_loop="back_in_stock_form")
    tracker.sender_id = sender
    with clock.pinned(NOW):
        return await ValidateBackInStockForm().validate_alert_consent(
            True, CollectingDispatcher(), tracker, DOMAIN
        )


async def test_after_a_yes_to_the_alert_the_offers_question_is_due(order_store: str) -> None:
    assert await after_yes() == {
        "alert_consent": True,
        "marketing_consent": None,
        "marketing_consent_offer": OFFER,
    }


async def test_the_question_says_what_the_shopper_gets_and_the_words_are_kept() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"marketing_consent_offer": OFFER}, active_loop="back_in_stock_form",
                           input_channel="socketio")  # fmt: skip
    events = await ActionAskMarketingConsent().run(dispatcher, tracker, DOMAIN)
    assert said(dispatcher) == [{"response": "utter_ask_marketing_consent", "contact": ANNA, "weekly_cap": 2}]
    assert [e["value"] for e in events] == [{**OFFER, "wording": ASKED}]


@pytest.mark.parametrize(
    "typed, answer",
    [("sure", True), ("yes please", True), ("no thanks", False), ("nah", False),
     ("what colours does it come in?", None)],
)  # fmt: skip
async def test_typed_answers_are_understood(typed: str, answer) -> None:
    tracker = make_tracker(
        text=typed, intent="inform", active_loop="back_in_stock_form",
        slots={"requested_slot": "marketing_consent", "marketing_consent_offer": OFFER},
    )  # fmt: skip
    extracted = await ValidateBackInStockForm().extract_marketing_consent(
        CollectingDispatcher(), tracker, DOMAIN
    )
    assert extracted == ({} if answer is None else {"marketing_consent": answer})


async def _subscribe(answer: Any, offer: Any, skus: list) -> list:  # noqa: F811
    slots = {"stock_alert_target": {**TARGET, "skus": skus}, "alert_contact": ANNA, "alert_consent": True,
             "marketing_consent": answer, "marketing_consent_offer": offer}  # fmt: skip
    dispatcher = CollectingDispatcher()
    with clock.pinned(NOW):
        await ActionBackInStockSubscribe().run(dispatcher, make_tracker(slots=slots), DOMAIN)
    return [m["response"] for m in said(dispatcher)]


async def test_a_yes_is_recorded_with_the_words_shown(order_store: str, skus) -> None:  # noqa: F811
    responses = await _subscribe(True, {**OFFER, "wording": ASKED}, skus)
    assert responses == ["utter_back_in_stock_subscribed", "utter_marketing_consent_recorded"]
    assert ledger(order_store, Channel.EMAIL, ANNA) == [("marketing", "chat", ASKED, NOW, None, None)]
    # the next alert does not ask again: consent stands
    assert (await after_yes())["marketing_consent"] == "not_asked"


async def test_a_no_is_recorded_and_not_asked_again_for_the_store_period(order_store: str, skus) -> None:  # noqa: F811
    responses = await _subscribe(False, {**OFFER, "wording": ASKED}, skus)
    assert responses == ["utter_back_in_stock_subscribed"]
    assert ledger(order_store, Channel.EMAIL, ANNA) == [("marketing", "chat", ASKED, NOW, NOW, "chat")]

    async def asked_on(day: datetime) -> bool:
        tracker = make_tracker(slots={"alert_contact": ANNA}, active_loop="back_in_stock_form")
        with clock.pinned(day):
            slots = await ValidateBackInStockForm().validate_alert_consent(
                True, CollectingDispatcher(), tracker, DOMAIN
            )
        return slots["marketing_consent"] is None

    # the sample store waits 180 days after a no (messaging.consent.ask_again_after_days)
    assert not await asked_on(NOW + timedelta(days=1))
    assert not await asked_on(NOW + timedelta(days=179, hours=23))
    assert await asked_on(NOW + timedelta(days=180))


async def test_a_stop_counts_as_a_no(order_store: str) -> None:
    phone = "+15551234567"
    write(order_store, withdraw, channel=Channel.WHATSAPP, address=phone, purpose=Purpose.MARKETING,
          source=Source.KEYWORD, now=NOW - timedelta(days=3))  # fmt: skip
    assert (await after_yes(phone, "whatsapp:15551234567"))["marketing_consent"] == "not_asked"
    # on another channel the shopper was never asked
    assert (await after_yes(ANNA))["marketing_consent"] is None


async def test_an_unanswered_question_records_nothing(order_store: str, skus) -> None:  # noqa: F811
    assert await _subscribe("not_asked", None, skus) == ["utter_back_in_stock_subscribed"]
    assert ledger(order_store, Channel.EMAIL, ANNA) == []


async def test_stop_sending_me_offers_withdraws_every_known_address(order_store: str) -> None:
    phone = "+15551234567"
    for channel, address in ((Channel.WHATSAPP, phone), (Channel.EMAIL, "ana@example.com")):
        write(order_store, grant, channel=channel, address=address, purpose=Purpose.MARKETING,
              source=Source.CHAT, wording="ok", now=NOW - timedelta(days=10))  # fmt: skip
    metadata = {"shopper": {"channel": "whatsapp", "proved_by": "whatsapp", "verified_phone": phone}}
    tracker = make_tracker(text="please stop sending me offers", intent="stop_marketing", metadata=metadata)
    tracker.sender_id = "whatsapp:15551234567"
    dispatcher = CollectingDispatcher()
    with clock.pinned(NOW):
        assert await ActionWithdrawMarketingConsent().run(dispatcher, tracker, DOMAIN) == []
    assert said(dispatcher) == [{"response": "utter_marketing_withdrawn"}]
    engine = make_engine(order_store)
    with session_scope(engine) as session:
        whatsapp = consent_state(session, channel=Channel.WHATSAPP, address=phone, purpose=Purpose.MARKETING)
        assert (whatsapp.withdrawn, whatsapp.withdrawn_at) == (True, NOW)
        # an address this conversation never showed is not touched
        assert consent_state(session, channel=Channel.EMAIL, address="ana@example.com",
                             purpose=Purpose.MARKETING).granted  # fmt: skip
    engine.dispose()
    assert ledger(order_store, Channel.WHATSAPP, phone)[-1][-1] == "chat"


async def test_a_widget_shopper_withdraws_on_the_email_they_signed_in_with(order_store: str) -> None:
    write(order_store, grant, channel=Channel.EMAIL, address=ANNA, purpose=Purpose.MARKETING,
          source=Source.CHAT, wording=ASKED, now=NOW - timedelta(days=10))  # fmt: skip
    metadata = {"shopper": {"channel": "web", "proved_by": "socketio", "verified_email": ANNA}}
    tracker = make_tracker(text="unsubscribe me", intent="stop_marketing", metadata=metadata)
    with clock.pinned(NOW):
        await ActionWithdrawMarketingConsent().run(CollectingDispatcher(), tracker, DOMAIN)
    assert ledger(order_store, Channel.EMAIL, ANNA) == [
        ("marketing", "chat", ASKED, NOW - timedelta(days=10), NOW, "chat")
    ]
    # the widget conversation itself is recorded too, so nothing is ever pushed to it
    assert [row[4] for row in ledger(order_store, Channel.WIDGET, "shopper-1")] == [NOW]
