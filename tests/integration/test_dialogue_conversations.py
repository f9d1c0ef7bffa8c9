"""Dialogue that follows the shopper (issue #12), over REST against the real servers and store.

Every case is read back from the conversation's tracker: which actions ran and which responses
(``metadata.utter_action`` of the bot events) the shopper got, turn by turn. None of these
conversations writes to the store (refusals at the confirmations), so they share the session's.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

import pytest

from tests.support.chat import say, tracker
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def _sender() -> str:
    return f"dialogue-{uuid.uuid4().hex[:10]}"


def _turns(stack: Stack, sender: str) -> List[Dict[str, List[str]]]:
    """Per shopper message: its intent, the actions that ran after it and the responses sent."""
    turns: List[Dict[str, Any]] = []
    for event in tracker(stack, sender)["events"]:
        if event["event"] == "user":
            turns.append({"intent": event["parse_data"]["intent"]["name"], "actions": [], "responses": []})
        elif turns and event["event"] == "action" and event["name"] != "action_listen":
            turns[-1]["actions"].append(event["name"])
        elif turns and event["event"] == "bot":
            turns[-1]["responses"].append((event.get("metadata") or {}).get("utter_action"))
    return turns


def _verified(stack: Stack, sender: str, opening: str, number: str, contact: str) -> None:
    for text in (opening, number, contact):
        say(stack, sender, text)


def test_an_angry_demand_for_a_person_at_the_order_number_hands_off(stack: Stack) -> None:
    sender = _sender()
    say(stack, sender, "where is my order")
    say(stack, sender, "this is ridiculous, I have waited weeks, put me through to a real human right now")
    last = _turns(stack, sender)[-1]
    assert last["intent"] in ("human_handoff", "frustration")
    assert last["actions"][:2] == ["action_deactivate_loop", "action_handoff"]
    assert "utter_order_number_invalid" not in last["responses"]


def test_nah_keep_it_at_the_cancel_confirmation_keeps_the_order(stack: Stack) -> None:
    sender = _sender()
    _verified(stack, sender, "please cancel my order", "#1003", "ben.buyer@example.com")
    say(stack, sender, "nah keep it")
    last = _turns(stack, sender)[-1]
    assert last["actions"] == ["cancel_order_form", "action_cancel_order"]
    assert last["responses"] == ["utter_order_kept"]


def test_a_one_line_address_is_confirmed_back_whole_then_refused(stack: Stack) -> None:
    sender = _sender()
    _verified(stack, sender, "i need to change my delivery address", "#1003", "ben.buyer@example.com")
    replies = say(stack, sender, "350 Fifth Avenue, New York, NY 10118")
    assert _turns(stack, sender)[-1]["responses"] == ["utter_ask_address_confirmed"]
    assert "350 Fifth Avenue, New York NY, 10118, US" in replies[0]["text"]
    say(stack, sender, "no, leave it as it is")  # read as deny, or as stop: a refusal either way
    last = _turns(stack, sender)[-1]
    assert last["responses"] == ["utter_address_kept"]


def test_gibberish_twice_climbs_the_fallback_ladder(stack: Stack) -> None:
    sender = _sender()
    say(stack, sender, "asdfjkl qwpo")
    say(stack, sender, "zzkx vbnmq")
    first, second = _turns(stack, sender)
    assert first["responses"] == ["utter_fallback_rephrase"]
    assert second["actions"] == ["action_storefront_fallback"]
    assert second["responses"][0] == "utter_fallback_handing_off"


def test_two_products_in_one_question_are_both_described(stack: Stack) -> None:
    sender = _sender()
    say(stack, sender, "which is better for rain, the Ridgeline Storm Hardshell or the Zip Hoodie?")
    (turn,) = _turns(stack, sender)
    assert turn["actions"] == ["action_product_search"]
    assert turn["responses"] == [
        "utter_product_compare_intro",
        "utter_product_compare_item",
        "utter_product_compare_fit_runs_small",
        "utter_product_compare_item",
        "utter_product_compare_fit_true_to_size",
        "utter_product_results_next",
    ]
