"""Questions about a product's details and problems with what arrived, over REST against the real
stack.

Product facts are checked against the store database the servers use (the product's metafield
tags, attribute tags and description), never against strings copied from the sample data; the
replies' wording is checked only through the response names.
"""

from __future__ import annotations

import uuid
from typing import Any, List, Tuple

import pytest
from sqlalchemy import select

from store.db import make_engine, session_scope
from store.models import Handoff, Product, Return
from tests.support.chat import Turn, chat, rest_id
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def _sender() -> str:
    return f"details-{uuid.uuid4().hex[:10]}"


def _set(turn: Turn) -> List[Tuple[str, Any]]:
    return [(e["name"], e["value"]) for e in turn.events if e["event"] == "slot"]


def _handed_off(store_db_url: str, sender: str, turn: Turn) -> str:
    """The reason the conversation's handoff was recorded with (it must have been queued)."""
    assert "utter_handoff_queued" in turn.responses
    assert any(e["event"] == "pause" for e in turn.events)
    with session_scope(make_engine(store_db_url)) as session:
        found = session.execute(select(Handoff).where(Handoff.conversation_id == rest_id(sender))).scalars()
        return [h.reason for h in found][-1]


def _product(store_db_url: str, handle: str) -> Tuple[str, List[str], str]:
    with session_scope(make_engine(store_db_url)) as session:
        product = session.execute(select(Product).where(Product.handle == handle)).scalar_one()
        return product.title, list(product.tags), product.description


def test_a_material_question_is_answered_from_the_material_metafield(stack: Stack, store_db_url: str) -> None:
    title, tags, _ = _product(store_db_url, "harbor-rain-shell")
    material = next(t.split(":", 1)[1] for t in tags if t.startswith("material:"))
    turn = chat(stack, _sender(), "what's the harbor rain shell made of?")
    assert turn.responses == ["utter_product_fact_listed"]
    assert title in turn.text and material in turn.text
    assert ("product", "harbor-rain-shell") in _set(turn)


def test_a_waterproof_question_is_answered_from_the_product_tags(stack: Stack, store_db_url: str) -> None:
    title, tags, _ = _product(store_db_url, "duck-boot")
    assert "waterproof" in tags
    turn = chat(stack, _sender(), "is the duck boot waterproof")
    assert turn.responses == ["utter_product_fact_tagged"]
    assert title in turn.text and "waterproof" in turn.text


def test_a_fact_the_store_has_not_listed_is_said_honestly_and_a_person_offered(
    stack: Stack, store_db_url: str
) -> None:
    sender = _sender()
    turn = chat(stack, sender, "can the wool scarf go in the washing machine")
    assert turn.responses == ["utter_product_fact_unknown"]
    assert ("handoff_reason", "product_question") in _set(turn)
    yes = chat(stack, sender, "yes please")
    assert _handed_off(store_db_url, sender, yes) == "product_question"


def test_a_question_about_it_answers_for_the_product_page_the_shopper_is_on(
    stack: Stack, store_db_url: str
) -> None:
    title, _, description = _product(store_db_url, "alpine-down-puffer")
    turn = chat(
        stack, _sender(), "is it ethically made?", metadata={"page": {"product": "alpine-down-puffer"}}
    )
    assert turn.responses == ["utter_product_fact_described"]
    assert title in turn.text and "sourced" in turn.text and "sourced" in description


def test_where_the_stores_products_are_made_is_not_guessed(stack: Stack) -> None:
    turn = chat(stack, _sender(), "where are your clothes made?")
    assert turn.responses == ["utter_product_fact_store_unknown"]
    assert ("handoff_reason", "product_question") in _set(turn)


def test_a_search_for_a_quality_is_still_a_search(stack: Stack) -> None:
    turn = chat(stack, _sender(), "show me waterproof jackets")
    assert "utter_product_fact_which" not in turn.responses
    assert not any(r and r.startswith("utter_product_fact") for r in turn.responses)


def test_an_item_that_arrived_damaged_starts_the_return_with_the_reason_kept(
    own_stack: Stack, own_store: str
) -> None:
    """Writes a return: on the module's own servers and copy of the store (the session's #1002
    stays as the sample made it for the other tests)."""
    sender = _sender()
    start = chat(own_stack, sender, "the sole came off my sneakers after two wears")
    assert start.responses[:2] == ["utter_return_store_fault_sorry", "utter_ask_order_number"]
    assert ("return_reason", "damaged") in _set(start)
    chat(own_stack, sender, "#1002")
    verified = chat(own_stack, sender, "ava.shopper@example.com")
    assert ("verified_order", "1002") in _set(verified)
    # the sneakers were named, the reason was given, and a faulty item's condition is not the
    # shopper's to vouch for: the form goes straight to refund or replacement
    assert [name for name, _ in _set(verified)].count("return_items") == 1
    assert ("requested_slot", "return_resolution") in _set(verified)
    refund = chat(own_stack, sender, "a refund please")
    assert ("requested_slot", "return_confirmed") in _set(refund)
    done = chat(own_stack, sender, "yes")
    assert "action_submit_return" in done.actions
    with session_scope(make_engine(own_store)) as session:
        reasons = [r.reason for r in session.execute(select(Return).order_by(Return.id.desc())).scalars()]
    assert reasons and reasons[0] == "damaged"


def test_a_wrong_item_starts_the_return_as_the_stores_mistake(stack: Stack) -> None:
    start = chat(stack, _sender(), "you sent me the wrong item")
    assert start.responses[:1] == ["utter_return_store_fault_sorry"]
    assert ("return_reason", "wrong_item") in _set(start)


def test_a_missing_item_gets_the_order_an_apology_and_the_offer_of_a_person(
    stack: Stack, store_db_url: str
) -> None:
    sender = _sender()
    chat(stack, sender, "one thing was missing from my parcel")
    chat(stack, sender, "#1002")
    answer = chat(stack, sender, "ava.shopper@example.com")
    assert answer.responses[-1] == "utter_order_item_missing"
    assert ("handoff_reason", "missing_item") in _set(answer) and "#1002" in answer.text
    yes = chat(stack, sender, "yes")
    assert _handed_off(store_db_url, sender, yes) == "missing_item"


def test_how_much_is_it_after_a_question_about_a_product_gives_its_price(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "what's the merino crewneck sweater made of")
    turn = chat(stack, sender, "how much is it")
    assert turn.responses == ["utter_product_price"], turn.responses
    with session_scope(make_engine(stack.env["DATABASE_URL"])) as session:
        product = session.execute(
            select(Product).where(Product.handle == "merino-crewneck-sweater")
        ).scalar_one()
        prices = sorted({variant.price for variant in product.variants})
    assert f"{prices[0]:.2f}" in turn.text  # the store's own price, whatever the template says
