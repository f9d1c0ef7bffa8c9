"""The product finder over REST against the real servers and the sample store.

Each turn is read back from the tracker (response names and slots), so rewording a response breaks
nothing while a wrong answer does. The finder records what it shows (recommendations_shown); nothing
else is written.
"""

from __future__ import annotations

import uuid

import pytest

from tests.support.chat import chat
from tools.launcher import Stack

pytestmark = pytest.mark.integration

PICKS = ("utter_finder_pick_because", "utter_finder_pick_material", "utter_finder_pick")
NEXT_STEPS = ["/show_more", "/compare_these", "/size_help", "/human_handoff"]


def _sender() -> str:
    return f"finder-{uuid.uuid4().hex[:10]}"


def _picks(turn) -> list:
    return [r for r in turn.responses if r in PICKS]


def test_a_need_with_a_budget_gets_products_with_why_and_the_next_steps(stack: Stack) -> None:
    turn = chat(stack, _sender(), "a warm jacket for winter walks, under $250")
    assert turn.actions[0] == "action_product_search"
    assert turn.responses[0] == "utter_finder_intro" and turn.responses[-2:] == [
        "utter_finder_next",
        "utter_look_offer",
    ]
    assert 2 <= len(_picks(turn)) <= 3
    assert "Summit Insulated Parka" in turn.text.splitlines()[1] and "insulated" in turn.text.splitlines()[1]
    steps = [b["payload"] for b in turn.buttons() if '"look":"complete"' not in b["payload"]]
    assert steps == NEXT_STEPS  # then one "what goes with it" button per product that has a look
    assert turn.slots["recommended_products"] == turn.slots["latest_recommendations"]


def test_show_more_shows_other_products_for_the_same_need(stack: Stack) -> None:
    sender = _sender()
    first = chat(stack, sender, "something for a beach holiday")
    more = chat(stack, sender, "/show_more")
    assert more.actions[0] == "action_finder_more" and _picks(more)
    shown_first = set(first.slots["latest_recommendations"])
    assert shown_first and not shown_first & set(more.slots["latest_recommendations"])
    assert set(more.slots["recommended_products"]) == shown_first | set(more.slots["latest_recommendations"])


def test_compare_these_after_a_recommendation_compares_the_products_shown(stack: Stack) -> None:
    sender = _sender()
    shown = chat(stack, sender, "a rain jacket").slots["latest_recommendations"]
    turn = chat(stack, sender, "/compare_these")
    assert turn.actions[0] == "action_finder_compare"
    assert turn.responses[0] == "utter_product_compare_intro"
    items = [r for r in turn.responses if r and r.startswith("utter_product_compare_item")]
    assert len(items) == len(shown) >= 2


def test_a_need_nothing_fits_is_told_so_with_categories_and_a_person(stack: Stack) -> None:
    turn = chat(stack, _sender(), "i'm looking for a tuxedo")
    assert turn.actions[0] == "action_product_search"
    assert turn.responses == ["utter_product_no_results"]
    assert {"title": "Talk to a person", "payload": "/human_handoff"} in turn.buttons()
    assert "recommended_products" not in turn.slots


def test_a_vague_gift_is_asked_its_interest_then_budget_then_gets_matching_picks(stack: Stack) -> None:
    sender = _sender()
    asked = chat(stack, sender, "looking for a gift for my dad")
    assert asked.actions[0] == "action_product_search" and asked.responses == ["utter_finder_ask_interest"]
    hiking = next(b["payload"] for b in asked.buttons() if b["title"] == "hiking")
    budget = chat(stack, sender, hiking)
    assert budget.responses == ["utter_finder_ask_budget"] and not _picks(budget)
    under_100 = next(b["payload"] for b in budget.buttons() if b["title"] == "Under 100")
    turn = chat(stack, sender, under_100)
    assert 2 <= len(_picks(turn)) <= 3
    assert any(r.startswith("utter_finder_gift_next") for r in turn.responses)
    assert not any(r.startswith("utter_ask") for r in turn.responses)  # never the recipient's size
    picks = turn.text.splitlines()[1 : 1 + len(_picks(turn))]
    assert all("hiking" in line for line in picks), picks
    assert turn.slots["finder_need"] == "looking for a gift for my dad hiking under 100"
    assert turn.slots["finder_question"] is None


def test_just_show_me_ideas_after_a_question_shows_picks_at_once(stack: Stack) -> None:
    sender = _sender()
    asked = chat(stack, sender, "I need a present")
    assert asked.responses == ["utter_finder_ask_interest"]
    skip = next(b["payload"] for b in asked.buttons() if b["title"] == "Just show me ideas")
    turn = chat(stack, sender, skip)
    assert turn.actions[0] == "action_finder_more" and 2 <= len(_picks(turn)) <= 3
    assert turn.slots["finder_question"] is None


def test_a_specific_need_gets_no_question(stack: Stack) -> None:
    for need in ("a present for my brother who cycles", "something for a beach holiday"):
        turn = chat(stack, _sender(), need)
        assert _picks(turn) and not any(r.startswith("utter_finder_ask") for r in turn.responses), need


def test_a_typed_answer_to_the_question_is_added_to_the_need(stack: Stack) -> None:
    sender = _sender()
    assert chat(stack, sender, "something in merino").responses == ["utter_finder_ask_use"]
    turn = chat(stack, sender, "for the office")
    assert turn.actions[0] == "action_product_search" and _picks(turn)
    assert turn.slots["finder_need"] == "something in merino for the office"


def test_typed_answers_to_a_gift_question_and_its_budget(stack: Stack) -> None:
    sender = _sender()
    assert chat(stack, sender, "I need a present").responses == ["utter_finder_ask_interest"]
    assert chat(stack, sender, "he likes hiking").responses == ["utter_finder_ask_budget"]
    turn = chat(stack, sender, "under 100")
    assert 2 <= len(_picks(turn)) <= 3
    assert turn.slots["finder_need"] == "I need a present he likes hiking under 100"


def test_skip_typed_at_a_question_skips_that_question_and_the_finder_goes_on(stack: Stack) -> None:
    sender = _sender()
    assert chat(stack, sender, "I need a present").responses == ["utter_finder_ask_interest"]
    assert chat(stack, sender, "he likes hiking").responses == ["utter_finder_ask_budget"]
    turn = chat(stack, sender, "skip")
    assert turn.actions[0] == "action_product_search" and 2 <= len(_picks(turn)) <= 3
    assert "action_leave_form" not in turn.actions
    assert turn.slots["finder_need"] == "I need a present he likes hiking"  # the skip added nothing
    assert turn.slots["finder_question"] is None


@pytest.mark.parametrize("answer", ["no preference", "any"])
def test_no_preference_at_the_use_question_recommends(stack: Stack, answer: str) -> None:
    sender = _sender()
    assert chat(stack, sender, "something in merino").responses == ["utter_finder_ask_use"]
    turn = chat(stack, sender, answer)
    assert turn.actions[0] == "action_product_search" and _picks(turn), answer
    assert "action_leave_form" not in turn.actions
    assert turn.slots["finder_need"] == "something in merino"


@pytest.mark.parametrize(
    ("pointer", "later"),
    [
        ("the second one", None),  # right after the recommendations
        ("tell me about the 2nd one", "/show_more"),  # after more of them
    ],
)
def test_a_product_pointed_at_by_position_is_then_the_product_talked_about(
    stack: Stack, pointer: str, later: str
) -> None:
    sender = _sender()
    shown = chat(stack, sender, "I need a rain jacket")
    if later:
        shown = chat(stack, sender, later)
    second = shown.slots["latest_recommendations"][1]

    pointed = chat(stack, sender, pointer)
    assert pointed.responses == ["utter_stock_overview"], pointed.responses
    assert pointed.slots["product"] == second

    size = chat(stack, sender, "does it come in large?")
    assert size.responses[0] == "utter_stock_in_stock", size.responses
    assert size.slots["product"] == second


@pytest.mark.parametrize("text", ["black boots", "jackets under 200"])
def test_a_bare_search_as_the_first_message_gets_products(stack: Stack, text: str) -> None:
    """Read as ``inform`` (the words that answer "which product?"), not "I'm not sure how to help"."""
    turn = chat(stack, _sender(), text)
    assert "action_product_search" in turn.actions and _picks(turn), turn.responses
    assert "utter_default" not in turn.responses


def test_a_budget_alone_after_a_gift_need_keeps_the_gift(stack: Stack) -> None:
    sender = _sender()
    chat(stack, sender, "i need a gift for my dad who loves hiking")
    turn = chat(stack, sender, "something under 100")
    assert _picks(turn), turn.responses
    assert "hiking" in turn.slots["finder_need"] and "under 100" in turn.slots["finder_need"]
    prices = [float(line.split("$")[1].split(":")[0].split(".")[0]) for line in turn.text.splitlines()
              if line.count("$") == 1 and "/products/" in line]  # fmt: skip
    assert prices and max(prices) <= 100, turn.text
    assert "utter_gift_note_offer" in turn.responses  # still a gift


def test_price_colour_then_cart_for_the_product_talked_about(stack: Stack) -> None:
    """Price by position (read as add_to_cart), a colour, then "add it": all about the first one."""
    sender = _sender()
    first = chat(stack, sender, "hey, do you sell rain jackets?").slots["latest_recommendations"][0]
    priced = chat(stack, sender, "how much is the first one")
    assert priced.responses == ["utter_product_price"] and priced.slots["product"] == first
    chat(stack, sender, "does it come in navy")
    turn = chat(stack, sender, "ok add it to my cart in medium")
    assert turn.responses == ["utter_cart_ready"], turn.responses
    assert f"h={first}" in turn.text and "M / Navy" in turn.text, turn.text  # its signed cart link


def test_a_use_added_right_after_the_products_narrows_them(stack: Stack) -> None:
    """ "for hiking" after jackets: hiking jackets, not hiking socks."""
    sender = _sender()
    chat(stack, sender, "i need a jacket")
    turn = chat(stack, sender, "for hiking")
    assert _picks(turn) and turn.slots["finder_need"] == "i need a jacket for hiking"
    assert "Socks" not in turn.text


def _prices(turn) -> list:
    """The prices of the products recommended in a turn ("Title, $83.00: ...")."""
    lines = [line for line in turn.text.splitlines() if line.count("$") == 1 and "/products/" in line]
    return [
        float(line.split("$")[1].split(":")[0].split(" ")[0].rstrip(".").replace(",", "")) for line in lines
    ]


def test_too_expensive_after_the_products_shows_cheaper_ones(stack: Stack) -> None:
    sender = _sender()
    first = chat(stack, sender, "warm jacket")
    turn = chat(stack, sender, "too expensive")
    assert _picks(turn) and _prices(first) and _prices(turn), turn.text
    assert max(_prices(turn)) < min(_prices(first)), turn.text
