"""Multi-turn shopper scripts through the REST channel against the sample store (issue #12, dialogue).

Each script is one shopper with a manner of their own (angry, terse, typo-heavy, changing their mind,
asking two things at once, coming back to a verified order) and checks, turn by turn, that the
assistant answered what was asked: the domain responses it chose and the facts of the store in
the reply. None of them changes the store (refusals at the confirmations), so they share the
session's. The orders are the sample's fixed demo orders (data/store/README.md).
"""

from __future__ import annotations

import uuid

import pytest

from tests.support.chat import Turn, chat
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def _sender() -> str:
    return f"script-{uuid.uuid4().hex[:10]}"


def _said(turn: Turn, *responses: str) -> None:
    """Every one of ``responses`` is among the turn's responses."""
    missing = [r for r in responses if r not in turn.responses]
    assert missing == [], f"missing {missing}; the assistant said {turn.responses}"


def test_angry_shopper_gets_the_order_then_a_person(stack: Stack) -> None:
    sender = _sender()
    _said(chat(stack, sender, "I've been waiting FOREVER. where is my order"), "utter_ask_order_number")
    _said(chat(stack, sender, "ugh. #1001"), "utter_ask_order_contact")
    _said(chat(stack, sender, "ava.shopper@example.com"), "utter_order_in_transit")
    turn = chat(stack, sender, "this is useless, get me a real human now")
    _said(turn, "utter_handoff_queued")


def test_terse_shopper_gives_number_and_email_in_one_go(stack: Stack) -> None:
    sender = _sender()
    turn = chat(stack, sender, "order 1001 ava.shopper@example.com")
    _said(turn, "utter_order_in_transit")
    assert "#1001" in turn.text


def test_typo_heavy_shopper_tracks_an_order(stack: Stack) -> None:
    sender = _sender()
    _said(chat(stack, sender, "wher is my ordr pls"), "utter_ask_order_number")
    _said(chat(stack, sender, "its 1001"), "utter_ask_order_contact")
    _said(chat(stack, sender, "ava.shopper@example.com"), "utter_order_in_transit")


def test_shopper_changes_their_mind_from_cancelling_to_a_new_address(stack: Stack) -> None:
    sender = _sender()
    _said(chat(stack, sender, "cancel my order please"), "utter_ask_order_number")
    chat(stack, sender, "#1003")
    _said(chat(stack, sender, "ben.buyer@example.com"), "utter_ask_cancel_confirmed")
    _said(chat(stack, sender, "actually no, don't cancel it"), "utter_order_kept")
    turn = chat(stack, sender, "I'd rather change the delivery address")
    _said(turn, "utter_ask_new_address1")  # the verified order is not asked for again
    _said(chat(stack, sender, "350 Fifth Avenue, New York, NY 10118"), "utter_ask_address_confirmed")
    _said(chat(stack, sender, "no, leave it"), "utter_address_kept")


def test_shopper_returns_after_verification_with_a_follow_up(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "where is my order")
    chat(stack, sender, "#1002")
    _said(chat(stack, sender, "ava.shopper@example.com"), "utter_order_delivered")
    turn = chat(stack, sender, "can I send it back?")
    assert "utter_ask_order_number" not in turn.responses
    assert any(r and r.startswith("utter_ask_return_items") for r in turn.responses), turn.responses


def test_shopper_asks_two_things_at_once(stack: Stack) -> None:
    """An order and a shipping question in one message: the order flow starts with the number it was given."""
    sender = _sender()
    turn = chat(stack, sender, "where's order 1001, and also do you ship to canada?")
    assert "utter_ask_order_number" not in turn.responses
    _said(turn, "utter_ask_order_contact")
    _said(chat(stack, sender, "ava.shopper@example.com"), "utter_order_in_transit")
    _said(chat(stack, sender, "and do you ship to canada?"), "utter_shipping_header")


def test_sizing_question_in_the_middle_of_a_return(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "I want to return something")
    chat(stack, sender, "#1002")
    first = chat(stack, sender, "ava.shopper@example.com")
    assert any(r and r.startswith("utter_ask_return_items") for r in first.responses), first.responses
    turn = chat(stack, sender, "wait, how do your jeans sizes run?")
    assert turn.actions[0] == "action_size_question"
    assert any(r and r.startswith("utter_ask_return_items") for r in turn.responses), turn.responses
    _said(chat(stack, sender, "stop"), "utter_form_stopped")


def test_gibberish_then_a_real_question_starts_over(stack: Stack) -> None:
    sender = _sender()
    _said(chat(stack, sender, "sdlkfj"), "utter_fallback_rephrase")
    _said(chat(stack, sender, "sorry, cat on keyboard. where is my order?"), "utter_ask_order_number")


def test_chatty_shopper_asks_about_a_refund(stack: Stack) -> None:
    sender = _sender()
    _said(chat(stack, sender, "morning! you doing ok?"), "utter_greet")
    _said(chat(stack, sender, "has my refund for order 1008 gone through yet?"), "utter_ask_order_contact")
    turn = chat(stack, sender, "gia.returned@example.com")
    _said(turn, "utter_refund_refunded")
    _said(chat(stack, sender, "great, cheers for the chat"), "utter_you_are_welcome")


def test_shopper_with_a_failing_discount_code(stack: Stack) -> None:
    sender = _sender()
    turn = chat(stack, sender, "my code WELCOME10 isn't working at checkout")
    assert turn.actions[0] == "discount_form"
    assert "WELCOME10" in turn.text


def test_shopper_asks_delivery_time_to_a_city(stack: Stack) -> None:
    sender = _sender()
    turn = chat(stack, sender, "how long would it take to reach Calgary?")
    _said(turn, "utter_shipping_header")
    assert "Canada" in turn.text


def test_suspicious_shopper_asks_for_a_person_after_the_bot_question(stack: Stack) -> None:
    sender = _sender()
    _said(chat(stack, sender, "wait are you a bot?"), "utter_iamabot")
    _said(chat(stack, sender, "yeah please, get me someone"), "utter_handoff_queued")


def test_shopper_asks_shipping_while_the_address_form_waits(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "change my shipping address")
    chat(stack, sender, "#1003")
    _said(chat(stack, sender, "ben.buyer@example.com"), "utter_ask_new_address1")
    turn = chat(stack, sender, "how much is express shipping?")
    assert turn.actions[0] == "action_shipping_info"
    _said(turn, "utter_ask_new_address1")
    _said(chat(stack, sender, "never mind"), "utter_form_stopped")
