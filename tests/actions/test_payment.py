"""action_payment_help: the store's payment facts (data/store/store.yaml) and the offer of a person."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.payment import ActionPaymentHelp
from tests.actions.catalog_support import DOMAIN, catalog_store, make_tracker, said  # noqa: F401

METHODS = "Visa, Mastercard, American Express, Discover, PayPal, Apple Pay, Google Pay, Shop Pay"


@pytest.mark.usefixtures("catalog_store")
async def test_payment_help_gives_the_store_facts_and_offers_a_person() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionPaymentHelp().run(dispatcher, make_tracker(intent="payment_problem"), DOMAIN)
    assert events == []
    assert said(dispatcher) == [
        {
            "response": "utter_payment_help",
            "retry_minutes": 15,
            "hold_days": 7,
            "methods": METHODS,
        },
        {
            "response": "utter_payment_installments",
            "provider": "Shop Pay Installments",
            "min_order": "$50.00",
            "max_order": "$3,000.00",
        },
        {"response": "utter_payment_offer_person"},
    ]


async def test_payment_help_during_a_store_outage_apologises(use_store, tmp_path) -> None:
    use_store(f"sqlite:///{tmp_path}/missing/store.db")
    dispatcher = CollectingDispatcher()
    events = await ActionPaymentHelp().run(dispatcher, make_tracker(intent="payment_problem"), DOMAIN)
    assert events == [SlotSet("handoff_reason", "action_failed")]
    assert said(dispatcher) == [{"response": "utter_store_unavailable"}]


@pytest.mark.parametrize(
    "text", ["can I pay with paypal", "do you take apple pay?", "what payment methods do you accept"]
)
@pytest.mark.usefixtures("catalog_store")
async def test_a_question_about_how_to_pay_gets_the_methods_without_an_apology(text: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionPaymentHelp().run(dispatcher, make_tracker(intent="payment_problem", text=text), DOMAIN)
    assert [m["response"] for m in said(dispatcher)] == [
        "utter_payment_methods",
        "utter_payment_installments",
    ]
    assert said(dispatcher)[0]["methods"] == METHODS


@pytest.mark.parametrize("text", ["paypal isnt working", "my card was declined", "I was charged twice"])
@pytest.mark.usefixtures("catalog_store")
async def test_a_payment_going_wrong_gets_the_causes_and_a_person(text: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionPaymentHelp().run(dispatcher, make_tracker(intent="payment_problem", text=text), DOMAIN)
    responses = [m["response"] for m in said(dispatcher)]
    assert responses[0] == "utter_payment_help" and responses[-1] == "utter_payment_offer_person"
