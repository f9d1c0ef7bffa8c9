"""Dialogue that follows the shopper (issue #12), over REST against the real servers and store.

Every case is read back from the conversation's tracker: which actions ran and which responses
(``metadata.utter_action`` of the bot events) the shopper got, turn by turn. None of these
conversations writes to the store (refusals at the confirmations), so they share the session's.
"""

from __future__ import annotations

import uuid

import pytest

from tests.support.chat import chat, rest_id, tracker
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def _sender() -> str:
    return f"dialogue-{uuid.uuid4().hex[:10]}"


def _intent(stack: Stack, sender: str) -> str:
    """The intent Rasa gave the shopper's latest message."""
    return tracker(stack, rest_id(sender))["latest_message"]["intent"]["name"]


def _verified(stack: Stack, sender: str, opening: str, number: str, contact: str) -> None:
    for text in (opening, number, contact):
        chat(stack, sender, text)


def test_an_angry_demand_for_a_person_at_the_order_number_hands_off(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "where is my order")
    turn = chat(
        stack, sender, "this is ridiculous, I have waited weeks, put me through to a real human right now"
    )
    assert _intent(stack, sender) in ("human_handoff", "frustration")
    assert turn.actions[:2] == ["action_deactivate_loop", "action_handoff"]
    assert "utter_order_number_invalid" not in turn.responses


def test_nah_keep_it_at_the_cancel_confirmation_keeps_the_order(stack: Stack) -> None:
    sender = _sender()
    _verified(stack, sender, "please cancel my order", "#1003", "ben.buyer@example.com")
    turn = chat(stack, sender, "nah keep it")
    assert turn.responses == ["utter_order_kept"]
    assert "action_cancel_order" in turn.actions or "action_leave_form" in turn.actions


def test_a_one_line_address_is_confirmed_back_whole_then_refused(stack: Stack) -> None:
    sender = _sender()
    _verified(stack, sender, "i need to change my delivery address", "#1003", "ben.buyer@example.com")
    turn = chat(stack, sender, "350 Fifth Avenue, New York, NY 10118")
    assert turn.responses == ["utter_ask_address_confirmed"]
    assert "350 Fifth Avenue, New York NY, 10118, US" in turn.text
    turn = chat(stack, sender, "no, leave it as it is")  # read as deny, or as stop: a refusal either way
    assert turn.responses == ["utter_address_kept"]


def test_gibberish_twice_climbs_the_fallback_ladder(stack: Stack) -> None:
    sender = _sender()
    first = chat(stack, sender, "asdfjkl qwpo")
    second = chat(stack, sender, "zzkx vbnmq")
    assert first.responses == ["utter_fallback_rephrase"]
    assert second.actions[0] == "action_storefront_fallback"
    assert second.responses[0] == "utter_fallback_handing_off"


def test_two_products_in_one_question_are_both_described(stack: Stack) -> None:
    sender = _sender()
    turn = chat(stack, sender, "which is better for rain, the Ridgeline Storm Hardshell or the Zip Hoodie?")
    assert turn.actions[0] == "action_product_search"
    assert turn.responses == [
        "utter_product_compare_intro",
        "utter_product_compare_item",
        "utter_product_compare_fit_runs_small",
        "utter_product_compare_item",
        "utter_product_compare_fit_true_to_size",
        "utter_product_results_next",
    ]
