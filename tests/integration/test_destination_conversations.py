"""Destinations named by city, state or province, over REST against the real stack.

The shopper's words go through the trained model (no entity payloads): the destination extractor
must find the place, the shipping action must answer for its zone. Prices and zones are read from
the store database the servers use; response names from the tracker's bot events.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, Dict, Iterator, List, Optional

import pytest
from sqlalchemy.orm import Session

from store.db import make_engine, session_scope
from store.models import Country, ShippingMethod, ShippingZone
from store.shipping import delivery_estimate
from tests.support.chat import Turn, events_since_last_message, rest_id, say, texts, tracker
from tools.launcher import Stack

pytestmark = pytest.mark.integration

CUTOFF_RESPONSES = {"utter_shipping_cutoff_today", "utter_shipping_cutoff_passed"}


@pytest.fixture
def store_session(store_db_url: str) -> Iterator[Session]:
    engine = make_engine(store_db_url)
    with session_scope(engine) as session:
        yield session
    engine.dispose()


def _sender() -> str:
    return f"destinations-{uuid.uuid4().hex[:10]}"


def _last_turn(stack: Stack, sender: str) -> Dict[str, Any]:
    """The latest user message's entities and the response names and slots that followed it."""
    events: List[Dict[str, Any]] = tracker(stack, rest_id(sender))["events"]
    message = [e for e in events if e["event"] == "user"][-1]
    turn = Turn([], events_since_last_message(events))
    return {
        "entities": {e["entity"]: e["value"] for e in message["parse_data"]["entities"]},
        "responses": turn.responses,
        "slots": turn.slots,
    }


def _ask(stack: Stack, text: str) -> tuple[str, Dict[str, Any]]:
    sender = _sender()
    answer = "\n".join(texts(say(stack, sender, text)))
    return answer, _last_turn(stack, sender)


def _assert_delivery_answer(
    answer: str, turn: Dict[str, Any], session: Session, *, country: str, region: Optional[str], label: str
) -> None:
    options = delivery_estimate(session, country=country, region=region)
    assert options
    responses = turn["responses"]
    assert responses[0] == "utter_shipping_header"
    assert all(r.startswith("utter_shipping_option") for r in responses[1 : 1 + len(options)])
    assert responses[1 + len(options)] in CUTOFF_RESPONSES
    assert f"Delivery to {label}:" in answer
    for option in options:
        assert f"{option.name} with {option.carrier}: ${option.price:,.2f}" in answer


def test_a_city_is_answered_for_its_province(stack: Stack, store_session: Session) -> None:
    answer, turn = _ask(stack, "how long would it take to reach Vancouver")
    assert turn["entities"] == {"country": "Canada", "region": "BC"}
    _assert_delivery_answer(
        answer, turn, store_session, country="CA", region="BC", label="British Columbia, Canada"
    )


def test_a_state_with_its_own_zone_gets_that_zones_prices(stack: Stack, store_session: Session) -> None:
    answer, turn = _ask(stack, "do you send parcels to Alaska?")
    assert turn["entities"] == {"country": "United States", "region": "AK"}
    _assert_delivery_answer(
        answer, turn, store_session, country="US", region="AK", label="Alaska, United States"
    )
    zones = {o.zone for o in delivery_estimate(store_session, country="US", region="AK")}
    assert zones == {"Alaska, Hawaii & Puerto Rico"}


def test_a_province_named_as_the_answer_to_the_destination_question(
    stack: Stack, store_session: Session
) -> None:
    sender = _sender()
    say(stack, sender, "how long does delivery take")
    assert _last_turn(stack, sender)["responses"] == ["utter_ask_shipping_form_country"]
    answer = "\n".join(texts(say(stack, sender, "Ontario")))
    turn = _last_turn(stack, sender)
    assert turn["slots"]["country"] == "Canada" and turn["slots"]["region"] == "ON"
    _assert_delivery_answer(answer, turn, store_session, country="CA", region="ON", label="Ontario, Canada")


def test_a_zone_added_to_the_store_after_training_is_answered(stack: Stack, store_session: Session) -> None:
    """No retraining and no restart: the model finds Osaka from the libraries, the store decides."""
    answer, turn = _ask(stack, "how long would shipping to Osaka take?")
    assert turn["entities"] == {"country": "Japan"}
    assert turn["responses"] == ["utter_shipping_destination_unknown"]
    assert "we don't deliver to Japan" in answer
    store_session.add(Country(code="JP", name="Japan", aliases=[], regions={}))
    zone = ShippingZone(name="Japan", position=99, countries=["JP"], regions=[], postal_prefixes=[])
    zone.methods.append(
        ShippingMethod(code="standard", name="Standard Japan", carrier="Japan Post", price=Decimal("22.50"),
                       transit_min_days=6, transit_max_days=9, cutoff="14:00", position=0)
    )  # fmt: skip
    store_session.add(zone)
    store_session.commit()
    try:
        answer, turn = _ask(stack, "how long would shipping to Osaka take?")
        assert turn["responses"][:2] == ["utter_shipping_header", "utter_shipping_option"]
        assert "Delivery to Japan:" in answer
        assert "Standard Japan with Japan Post: $22.50" in answer
    finally:
        store_session.delete(zone)
        store_session.delete(store_session.get(Country, "JP"))
        store_session.commit()
