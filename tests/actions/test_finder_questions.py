"""The finder's short questions: asked only for a vague need, answered by a button or typed words,
never more than two, never a gift recipient's size; on the sample store."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Dict, Optional

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import ActionProductSearch
from actions.fallback import ActionStorefrontFallback
from actions.finder_questions import BUDGET, INTEREST, next_question
from actions.finder_steps import ActionFinderMore
from tests.actions.catalog_support import DOMAIN, catalog_store, entity, make_tracker, said  # noqa: F401
from tests.support.trackers import tracker_from_events

# The searches below read the sample store (the session's, never var/store.db).
pytestmark = pytest.mark.usefixtures("catalog_store")

PICKS = {"utter_finder_pick_because", "utter_finder_pick_material", "utter_finder_pick"}


@pytest.mark.parametrize(
    "need, filters, asked, question",
    [
        ("I need a present", {}, [], INTEREST),
        ("looking for a gift for my dad", {}, [], INTEREST),
        ("a gift under $50", {"max_price": Decimal("50")}, [], INTEREST),
        ("something in merino", {}, [], INTEREST),
        ("a present for my brother who cycles", {}, [], None),  # an interest and no question asked
        ("a warm jacket for winter walks, under $250", {}, [], None),
        ("a rain jacket", {}, [], None),
        ("something in merino", {"color": "Navy"}, [], None),
        ("something under 50", {"max_price": Decimal("50")}, [], None),  # not a gift: the budget narrows
        ("a gift", {"category": "Knitwear"}, [], None),
        ("a present for my dad hiking", {}, [INTEREST], BUDGET),
        ("a present for my dad hiking under 100", {}, [INTEREST, BUDGET], None),
        ("a present for my dad hiking", {}, [INTEREST, BUDGET], None),  # "any budget"
        ("a present for my dad anything", {}, [INTEREST], None),  # skipped: no second question
        ("something in merino hiking", {}, [INTEREST], None),  # not a gift: no budget question
        ("a gift for my dad, under 80", {}, [INTEREST], None),  # the budget was given
    ],
)
def test_which_question_a_need_gets(
    need: str, filters: Dict[str, Any], asked: list, question: Optional[str]
) -> None:
    assert next_question(need, filters, asked) == question


def test_a_need_whose_words_are_a_fitting_products_own_tags_is_not_vague() -> None:
    # "a heated vest for ice fishing": no kind or use the vocabulary knows, but the vest's own tags
    assert next_question("a heated vest for ice fishing", {}, []) == INTEREST
    assert next_question("a heated vest for ice fishing", {}, [], tagged=True) is None
    assert next_question("a gift for my dad", {}, [], tagged=False) == INTEREST


def slots_set(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def search(text: str, slots: Optional[dict] = None, entities=()) -> tuple[list, dict]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="product_search", text=text, entities=list(entities), slots=slots or {})
    events = await ActionProductSearch().run(dispatcher, tracker, DOMAIN)
    return said(dispatcher), slots_set(events)


def buttons(message: dict) -> list:
    """A question's quick replies: the response's own (domain.yml), then those the action adds."""
    return [*DOMAIN["responses"][message["response"]][0].get("buttons", []), *message.get("buttons", [])]


def answer_button(message: dict, title: str) -> tuple[str, list]:
    """The text and entities of tapping a question's quick reply."""
    button = next(b for b in buttons(message) if b["title"] == title)
    value = json.loads(button["payload"][len("/product_search") :])["finder_answer"]
    return button["payload"], [entity("finder_answer", value)]


async def test_a_vague_gift_is_asked_its_interest_from_the_catalog_then_the_budget_then_gets_picks() -> None:
    messages, slots = await search("looking for a gift for my dad")
    assert [m["response"] for m in messages] == ["utter_finder_ask_interest"]
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert "hiking" in titles and "yoga" not in titles  # yoga products in the sample store are for women
    assert slots["finder_question"] == {"need": "looking for a gift for my dad", "asked": [INTEREST]}
    assert slots["finder_need"] == "looking for a gift for my dad" and slots["recommended_products"] == []

    text, entities = answer_button(messages[0], "hiking")
    messages, slots = await search(text, slots, entities)
    assert [m["response"] for m in messages] == ["utter_finder_ask_budget"]
    assert slots["finder_question"]["asked"] == [INTEREST, BUDGET]

    text, entities = answer_button(messages[0], "Under 100")
    messages, slots = await search(text, slots, entities)
    picks = [m for m in messages if m["response"] in PICKS]
    assert 2 <= len(picks) <= 3
    assert all("hiking" in m["reasons"] for m in picks)
    assert all(Decimal(m["price"].lstrip("$").replace(",", "")) <= 100 for m in picks)
    assert any(m["response"].startswith("utter_finder_gift_next") for m in messages)
    assert not any(m["response"].startswith("utter_ask") for m in messages)  # never the recipient's size
    assert slots["finder_question"] is None
    assert slots["finder_need"] == "looking for a gift for my dad hiking under 100"


async def test_a_typed_answer_is_added_to_the_need() -> None:
    _, slots = await search("I need a present")
    messages, slots = await search("she loves yoga", slots)
    assert [m["response"] for m in messages] == ["utter_finder_ask_budget"]
    messages, _ = await search("under 80 please", slots)
    picks = [m for m in messages if m["response"] in PICKS]
    assert picks and all("yoga" in m["reasons"] for m in picks)


async def test_a_vague_need_that_is_not_a_gift_is_asked_what_it_is_for_and_never_its_budget() -> None:
    messages, slots = await search("something in merino")
    assert [m["response"] for m in messages] == ["utter_finder_ask_use"]
    messages, slots = await search("for the office", slots)
    assert [m for m in messages if m["response"] in PICKS] and slots["finder_question"] is None


async def test_a_skipped_question_is_not_asked_again_and_the_picks_come_at_once() -> None:
    _, slots = await search("I need a present")
    messages, slots = await search("anything really", slots)
    assert [m for m in messages if m["response"] in PICKS]
    assert not any(m["response"].startswith("utter_finder_ask") for m in messages)
    assert slots["finder_question"] is None


async def test_skip_or_no_preference_typed_at_a_question_skips_it_and_adds_nothing_to_the_need() -> None:
    """``no_preference`` ("skip", "doesn't matter", "any"): the finder's next question, then picks."""

    async def no_preference(text: str, slots: dict) -> tuple[list, dict]:
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(intent="no_preference", text=text, slots=slots)
        events = await ActionProductSearch().run(dispatcher, tracker, DOMAIN)
        return said(dispatcher), slots_set(events)

    _, slots = await search("I need a present")
    messages, slots = await no_preference("skip", slots)  # no interest: nothing to ask a budget for
    assert [m for m in messages if m["response"] in PICKS]
    assert not any(m["response"].startswith("utter_finder_ask") for m in messages)
    assert slots["finder_need"] == "I need a present" and slots["finder_question"] is None

    _, slots = await search("I need a present")
    messages, slots = await search("he likes hiking", slots)
    assert [m["response"] for m in messages] == ["utter_finder_ask_budget"]
    messages, slots = await no_preference("doesn't matter", slots)
    assert [m for m in messages if m["response"] in PICKS]
    assert not any(m["response"].startswith("utter_finder_ask") for m in messages)
    assert slots["finder_need"] == "I need a present he likes hiking" and slots["finder_question"] is None


async def test_just_show_me_ideas_ranks_the_need_as_it_is() -> None:
    messages, slots = await search("I need a present")
    assert "/show_more" in [b["payload"] for b in buttons(messages[0])]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="show_more", text="/show_more", slots=slots)
    more = slots_set(await ActionFinderMore().run(dispatcher, tracker, DOMAIN))
    assert [m for m in said(dispatcher) if m["response"] in PICKS]
    assert more["finder_question"] is None


async def test_a_specific_need_gets_picks_without_a_question() -> None:
    for need in ("a present for my brother who cycles", "a rain jacket", "something for a beach holiday"):
        messages, slots = await search(need)
        assert [m for m in messages if m["response"] in PICKS], need
        assert not any(m["response"].startswith("utter_finder_ask") for m in messages), need
        assert slots["finder_question"] is None


async def test_a_vague_need_nothing_fits_is_told_so_without_a_question() -> None:
    messages, _ = await search("a zorblax for my frobnicator")
    assert [m["response"] for m in messages] == ["utter_product_no_results"]


async def test_a_typed_answer_the_nlu_cannot_place_reaches_the_finder_through_the_fallback() -> None:
    _, slots = await search("I need a present")
    parse = {
        "intent": {"name": "out_of_scope", "confidence": 0.65},
        "entities": [],
        "text": "she's into yoga",
    }
    asked = {
        "event": "bot",
        "text": "What are they into?",
        "metadata": {"utter_action": "utter_finder_ask_interest"},
    }
    answer = {"event": "user", "text": "she's into yoga", "parse_data": parse, "metadata": {}}
    dispatcher = CollectingDispatcher()
    tracker = tracker_from_events([asked, answer], slots=slots)
    events = await ActionStorefrontFallback().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in said(dispatcher)] == ["utter_finder_ask_budget"]
    assert slots_set(events)["finder_question"]["need"] == "I need a present she's into yoga"


async def test_the_fallback_leaves_a_question_asked_earlier_alone() -> None:
    _, slots = await search("I need a present")
    parse = {"intent": {"name": "out_of_scope", "confidence": 0.95}, "entities": [], "text": "tell me a joke"}
    other = {
        "event": "bot",
        "text": "Your order shipped.",
        "metadata": {"utter_action": "utter_order_status"},
    }
    message = {"event": "user", "text": "tell me a joke", "parse_data": parse, "metadata": {}}
    dispatcher = CollectingDispatcher()
    await ActionStorefrontFallback().run(
        dispatcher, tracker_from_events([other, message], slots=slots), DOMAIN
    )
    assert [m["response"] for m in said(dispatcher)] == ["utter_out_of_scope"]
