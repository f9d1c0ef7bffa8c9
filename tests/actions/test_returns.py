"""Returns: the policy reply, the return form (items, reason, condition, resolution, exchange stock)
and writing the return, against a private copy of the sample store."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from sqlalchemy import select

from actions.return_form import ValidateReturnForm
from actions.return_prompts import (
    ActionAskExchangeChoice,
    ActionAskReturnConfirmed,
    ActionAskReturnItems,
    exchange_order,
)
from actions.returns import RETURN_SLOTS, ActionReturnPolicy, ActionSubmitReturn
from store.db import session_scope
from store.models import Return
from store.sizes import size_sort_key
from tests.actions.order_support import (
    AVA,
    BEN,
    ELLA,
    line_id,
    line_items,
    make_tracker,
    responses,
    run,
    set_high_value_threshold,
    variants_of,
)

pytestmark = pytest.mark.usefixtures("order_store")
FORM = "return_form"
STOP = [ActiveLoop(None), SlotSet("requested_slot", None)]
RESET = [SlotSet(slot, None) for slot in RETURN_SLOTS]


def verified(number: str, contact: str, **slots: Any) -> Dict[str, Any]:
    return {"order_number": number, "order_contact": contact, "verified_order": number, **slots}


def step(slots: Dict[str, Any], **set_this_turn: Any) -> Any:
    return make_tracker(slots=slots, set_this_turn=set_this_turn, active_loop=FORM)


async def test_policy_reply_comes_from_the_store_policy() -> None:
    events, said = await run(ActionReturnPolicy(), make_tracker(intent="return_policy"))
    assert events == []
    assert said == [
        {
            "response": "utter_return_policy",
            "window_days": "30",
            "final_sale": "Swimwear",
            "return_shipping_cost": "$6.95",
            "refund_days": "5",
            "policy_url": "https://shop.northwind-outfitters.example/pages/returns",
        }
    ]


def _policy_question(text: str, **entities: str) -> Any:
    named = [{"entity": name, "value": value} for name, value in entities.items()]
    return make_tracker(intent="return_policy", text=text, entities=named)


@pytest.mark.parametrize(
    ("text", "entities", "expected"),
    [
        ("are sale items returnable?", {}, [
            {"response": "utter_return_policy_sale", "window_days": "30"},
            {"response": "utter_return_policy_final_sale", "name": "Swimwear"},
        ]),
        ("can I return something I bought in the clearance?", {}, [
            {"response": "utter_return_policy_sale", "window_days": "30"},
            {"response": "utter_return_policy_final_sale", "name": "Swimwear"},
        ]),
        ("can a gift be returned", {}, [{"response": "utter_gift_returns_store_credit", "days": "30"}]),
        ("is swimwear returnable", {"category": "swimwear"}, [
            {"response": "utter_return_policy_final_sale", "name": "Swimwear"},
        ]),
        ("what's the return policy on boots", {"category": "boots"}, [
            {"response": "utter_return_policy_returnable", "name": "Boots", "window_days": "30"},
        ]),
        ("can I send back the bikini top", {"product": "bikini top"}, [
            {"response": "utter_return_policy_final_sale", "name": "Bikini Top"},
        ]),
        ("return policy for the chelsea boot?", {"product": "Chelsea Boot"}, [
            {"response": "utter_return_policy_returnable", "name": "Chelsea Boot", "window_days": "30"},
        ]),
    ],
)  # fmt: skip
async def test_a_question_about_one_part_of_the_policy_gets_that_part(
    text: str, entities: Dict[str, str], expected: list
) -> None:
    events, said = await run(ActionReturnPolicy(), _policy_question(text, **entities))
    assert (events, said) == ([], expected)


async def test_a_category_the_store_does_not_have_gets_the_whole_policy() -> None:
    _events, said = await run(ActionReturnPolicy(), _policy_question("can I return hats", category="hats"))
    assert responses(said) == ["utter_return_policy"]


async def test_policy_reply_apologises_when_the_store_is_down(store_down: None) -> None:
    events, said = await run(ActionReturnPolicy(), make_tracker(intent="return_policy"))
    assert (events, responses(said)) == (
        [SlotSet("handoff_reason", "action_failed")],
        ["utter_store_unavailable"],
    )


# -- verification and eligibility ----------------------------------------------------------------


async def test_verified_order_with_returnable_items_asks_for_items() -> None:
    events, said = await run(ValidateReturnForm(), step({"order_number": "1002"}, order_contact=AVA))
    assert said == []
    assert events[-3:] == [
        SlotSet("verified_order", "1002"),
        SlotSet("order_lookup_attempts", None),
        SlotSet("requested_slot", "return_items"),
    ]


def _asking_to_return(text: str, *entities: Dict[str, Any], **set_this_turn: Any) -> Any:
    """The message that started the return form, its catalog entities as the extractor marks them."""
    return make_tracker(
        slots={"order_number": "1002"}, set_this_turn=set_this_turn, intent="start_return", text=text,
        entities=list(entities), active_loop=FORM,
    )  # fmt: skip


def _entity(name: str, text: str, surface: str, value: str) -> Dict[str, Any]:
    start = text.index(surface)
    return {"entity": name, "start": start, "end": start + len(surface), "value": value}


async def test_an_item_named_while_asking_to_return_is_chosen() -> None:
    text = "these jeans are way too big, order 1002"
    jeans = _entity("category", text, "jeans", "Jeans")
    events, said = await run(ValidateReturnForm(), _asking_to_return(text, jeans, order_contact=AVA))
    assert said == []
    assert SlotSet("return_items", [line_id(1002, "Slim Fit Selvedge Jeans")]) in events
    assert SlotSet("return_reason", "too_big") in events  # "way too big": the reason is given too
    assert events[-1] == SlotSet("requested_slot", "return_condition")


async def test_item_reason_and_exchange_said_at_once_leave_the_new_size_to_ask() -> None:
    text = "the sneakers are a bit tight, can I swap them for a bigger pair"
    sneakers = _entity("category", text, "sneakers", "Sneakers")
    events, said = await run(ValidateReturnForm(), _asking_to_return(text, sneakers, order_contact=AVA))
    assert said == []
    assert [e for e in events if e.get("name", "").startswith("return_")] == [
        SlotSet("return_items", [line_id(1002, "Court Classic Sneaker")]),
        SlotSet("return_reason", "too_small"),
        SlotSet("return_resolution", "exchange"),
    ]
    # every slot of the form is required now, so rasa-sdk leaves the next question to Rasa's
    # FormAction: the first empty slot, the condition
    assert not any(e.get("name") == "requested_slot" for e in events)


async def test_a_fault_is_read_in_whole_words_while_asking_to_return() -> None:
    """A store fault skips the condition check: "trip" holds "rip" but says nothing of damage."""
    text = "got these jeans for a trip but they're too small"
    jeans = _entity("category", text, "jeans", "Jeans")
    events, _ = await run(ValidateReturnForm(), _asking_to_return(text, jeans, order_contact=AVA))
    assert SlotSet("return_reason", "too_small") in events


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("the jeans run small, order 1002", "too_small"),
        ("these jeans are slightly long on me", "too_big"),
        ("I changed my mind about the jeans", "changed_mind"),
        ("the jeans don't look like the photos", "not_as_pictured"),
    ],
)
async def test_a_reason_stated_in_passing_is_kept(text: str, reason: str) -> None:
    jeans = _entity("category", text, "jeans", "Jeans")
    events, _ = await run(ValidateReturnForm(), _asking_to_return(text, jeans, order_contact=AVA))
    assert SlotSet("return_reason", reason) in events


@pytest.mark.parametrize(
    "text",
    [
        "I want to return the shorts from order 1002",
        "I'd like to send back my long sleeve tee",
        "I'm looking to return the jeans",
        "return the big jeans please",
        "can I return the small sneakers",
        "return my jeans, the colour one",
    ],
)
async def test_words_inside_names_and_idioms_are_no_reason(text: str) -> None:
    """Read ahead, only a reason stated in a phrase counts: "the shorts" is not "too short"."""
    jeans = _entity("category", text, "jeans", "Jeans") if "jeans" in text else None
    entities = [jeans] if jeans else []
    events, _ = await run(ValidateReturnForm(), _asking_to_return(text, *entities, order_contact=AVA))
    assert not any(e.get("name") == "return_reason" for e in events), events


async def test_an_exchange_said_without_an_item_is_left_to_the_form() -> None:
    text = "I want to exchange something"
    events, _ = await run(ValidateReturnForm(), _asking_to_return(text, order_contact=AVA))
    assert not any(e.get("name") == "return_resolution" for e in events)
    assert events[-1] == SlotSet("requested_slot", "return_items")


@pytest.mark.parametrize(
    ("text", "resolution"),
    [
        ("send the jeans back, refund to my credit card please", "refund"),
        ("return the jeans for store credit", "store_credit"),
    ],
)
async def test_a_resolution_said_while_asking_is_kept(text: str, resolution: str) -> None:
    jeans = _entity("category", text, "jeans", "Jeans")
    events, _ = await run(ValidateReturnForm(), _asking_to_return(text, jeans, order_contact=AVA))
    assert SlotSet("return_resolution", resolution) in events


async def test_an_email_address_is_not_read_as_a_reason() -> None:
    text = "I'd like to return the jeans, my email is tall.and.small@example.com"
    jeans = _entity("category", text, "jeans", "Jeans")
    events, _ = await run(ValidateReturnForm(), _asking_to_return(text, jeans, order_contact=AVA))
    assert not any(e.get("name") == "return_reason" for e in events)
    assert events[-1] == SlotSet("requested_slot", "return_reason")


async def test_a_product_named_by_its_catalog_title_is_chosen() -> None:
    text = "the court classics pinch, can I send them back"
    sneaker = _entity("product", text, "court classics", "Court Classic Sneaker")
    events, _ = await run(ValidateReturnForm(), _asking_to_return(text, sneaker, order_contact=AVA))
    assert SlotSet("return_items", [line_id(1002, "Court Classic Sneaker")]) in events


@pytest.mark.parametrize(
    "text",
    [
        "they don't fit, I want to return something",  # "fit" is in Slim Fit Jeans' title, not an entity
        "I'd like to return an item from order 1002",
    ],
)
async def test_without_a_named_item_the_form_asks_which(text: str) -> None:
    events, said = await run(ValidateReturnForm(), _asking_to_return(text, order_contact=AVA))
    assert said == []
    assert not any(e.get("name") == "return_items" for e in events)
    assert events[-1] == SlotSet("requested_slot", "return_items")


async def test_a_named_item_of_another_kind_chooses_nothing() -> None:
    text = "the boots are too small"
    boots = _entity("category", text, "boots", "Boots")
    events, _ = await run(ValidateReturnForm(), _asking_to_return(text, boots, order_contact=AVA))
    assert not any(e.get("name") == "return_items" for e in events)
    assert events[-1] == SlotSet("requested_slot", "return_items")


async def test_a_named_final_sale_item_is_refused_at_once_and_the_form_asks_which() -> None:
    text = "I want to return the swim trunks from 1010"
    trunks = _entity("product", text, "swim trunks", "Swim Trunks")
    tracker = make_tracker(
        slots={"order_number": "1010"}, set_this_turn={"order_contact": AVA}, intent="start_return",
        text=text, entities=[trunks], active_loop=FORM,
    )  # fmt: skip
    events, said = await run(ValidateReturnForm(), tracker)
    assert responses(said) == ["utter_return_refused_final_sale"]
    assert not any(e.get("name") == "return_items" for e in events)
    assert events[-1] == SlotSet("requested_slot", "return_items")


async def test_order_past_the_window_is_refused_item_by_item_and_the_form_stops() -> None:
    events, said = await run(ValidateReturnForm(), step({"order_number": "1006"}, order_contact=ELLA))
    oxford, ringer = line_items(1006)
    assert [(m["response"], m["item"]) for m in said] == [
        ("utter_return_refused_window_expired", oxford.title),
        ("utter_return_refused_final_sale", ringer.title),
    ]
    assert said[0]["window_ends"]  # the date the window closed, from the store
    # rasa-sdk appends the next requested slot; ActiveLoop(None) is what ends the form in Rasa
    assert events[-3:] == [*STOP, SlotSet("requested_slot", "return_items")]


async def test_a_high_value_order_with_nothing_returnable_goes_to_a_person() -> None:
    set_high_value_threshold("150.00")  # store.yaml's threshold; #1006 is $162.64
    events, said = await run(ValidateReturnForm(), step({"order_number": "1006"}, order_contact=ELLA))
    assert responses(said) == ["utter_return_refused_window_expired", "utter_return_refused_final_sale"]
    assert events[-5:] == [
        *STOP,
        SlotSet("handoff_reason", "high_value_order"),
        FollowupAction("action_handoff"),
        SlotSet("requested_slot", "return_items"),  # appended by rasa-sdk; ActiveLoop(None) wins
    ]


async def test_final_sale_item_is_refused_and_the_other_item_is_offered_again() -> None:
    slots = verified("1010", AVA)
    events, said = await run(ValidateReturnForm(), step(slots, return_items=["Swim Trunks - M / Teal"]))
    assert responses(said) == ["utter_return_refused_final_sale"]
    assert events == [SlotSet("return_items", None), SlotSet("requested_slot", "return_items")]


async def test_picking_an_eligible_item_stores_its_line_id() -> None:
    events, said = await run(
        ValidateReturnForm(), step(verified("1010", AVA), return_items=["Pocket Tee - M / Navy"])
    )
    assert said == []
    assert events == [
        SlotSet("return_items", [line_id(1010, "Pocket Tee")]),
        SlotSet("requested_slot", "return_reason"),
    ]


async def test_all_of_them_takes_every_eligible_item() -> None:
    events, _ = await run(ValidateReturnForm(), step(verified("1002", AVA), return_items=["all of them"]))
    assert events[0] == SlotSet("return_items", [item.id for item in line_items(1002)])


async def test_an_item_can_be_named_loosely() -> None:
    events, _ = await run(ValidateReturnForm(), step(verified("1002", AVA), return_items=["the sneakers"]))
    assert events[0] == SlotSet("return_items", [line_id(1002, "Court Classic Sneaker")])


async def test_an_unclear_item_is_asked_again() -> None:
    events, said = await run(ValidateReturnForm(), step(verified("1002", AVA), return_items=["banana"]))
    assert responses(said) == ["utter_return_items_unclear"]
    assert events == [SlotSet("return_items", None), SlotSet("requested_slot", "return_items")]


# -- reason, condition, resolution, exchange ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "next_slot"),
    [
        ("too small", "too_small", "return_condition"),
        ("it's way too tight", "too_small", "return_condition"),
        ("no longer needed", "changed_mind", "return_condition"),
        ("arrived damaged", "damaged", "return_resolution"),
        ("wrong item sent", "wrong_item", "return_resolution"),
        ("meh", "other", "return_condition"),
        ("I need a bigger size", "too_small", "return_condition"),  # not "big"
        ("need them smaller", "too_big", "return_condition"),  # not "small"
    ],
)
async def test_reason_is_read_as_a_store_reason_code(text: str, code: str, next_slot: str) -> None:
    slots = verified("1002", AVA, return_items=[line_id(1002, "Slim Fit")])
    events, said = await run(ValidateReturnForm(), step(slots, return_reason=text))
    assert said == []
    assert events == [SlotSet("return_reason", code), SlotSet("requested_slot", next_slot)]


@pytest.mark.parametrize("text", ["yes", "no", "yep"])
async def test_a_bare_yes_or_no_is_no_reason_and_the_reason_is_asked_again(text: str) -> None:
    slots = verified("1002", AVA, return_items=[line_id(1002, "Slim Fit")])
    events, said = await run(ValidateReturnForm(), step(slots, return_reason=text))
    assert said == []
    assert SlotSet("return_reason", None) in events and SlotSet("requested_slot", "return_reason") in events


async def test_worn_items_are_refused_and_the_form_stops() -> None:
    slots = verified("1002", AVA, return_items=[line_id(1002, "Slim Fit")], return_reason="too_big")
    events, said = await run(ValidateReturnForm(), step(slots, return_condition=False))
    assert responses(said) == ["utter_return_refused_condition"]
    assert events == [
        SlotSet("return_condition", False),
        *STOP,
        SlotSet("requested_slot", "return_resolution"),
    ]


@pytest.mark.parametrize(
    ("text", "resolution", "next_slot"),
    [
        ("refund", "refund", "return_confirmed"),
        ("store credit please", "store_credit", "return_confirmed"),
    ],
)
async def test_resolution(text: str, resolution: str, next_slot: str) -> None:
    slots = verified(
        "1012", BEN, return_items=[line_id(1012, "Trailmark")], return_reason="too_big", return_condition=True
    )
    events, said = await run(ValidateReturnForm(), step(slots, return_resolution=text))
    assert said == []
    assert events == [SlotSet("return_resolution", resolution), SlotSet("requested_slot", next_slot)]


def _waiting(requested: str, intent: str, text: str, **slots: Any) -> Any:
    slots = verified("1002", AVA, requested_slot=requested, **slots)
    return make_tracker(slots=slots, intent=intent, text=text, active_loop=FORM)


def _final(events: list, slot: str) -> list:
    return [e for e in events if e.get("name") == slot][-1:]


async def test_a_tapped_item_button_is_the_answer_even_when_read_as_a_size_question() -> None:
    title = next(i.title for i in line_items(1002) if i.title.startswith("Slim Fit"))  # "... - 32 / Indigo"
    events, said = await run(ValidateReturnForm(), _waiting("return_items", "size_help", title))
    assert _final(events, "return_items") == [SlotSet("return_items", [line_id(1002, "Slim Fit")])]
    assert said == []


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("size_help", "what size did I get in the slim fit jeans"),
        ("human_handoff", "Slim Fit Selvedge Jeans"),
    ],
)
async def test_a_question_about_an_item_is_not_a_choice_of_items(intent: str, text: str) -> None:
    events, _ = await run(ValidateReturnForm(), _waiting("return_items", intent, text))
    assert _final(events, "return_items") == []


@pytest.mark.parametrize(
    ("intent", "text", "reason"),
    [("size_help", "too small", "too_small"), ("return_policy", "changed my mind", "changed_mind")],
)
async def test_a_short_reason_is_the_answer_whatever_the_intent(intent: str, text: str, reason: str) -> None:
    items = [line_id(1002, "Slim Fit")]
    events, _ = await run(ValidateReturnForm(), _waiting("return_reason", intent, text, return_items=items))
    assert _final(events, "return_reason") == [SlotSet("return_reason", reason)]


async def test_a_size_question_at_the_reason_step_is_not_a_reason() -> None:
    items = [line_id(1002, "Slim Fit")]
    tracker = _waiting("return_reason", "size_help", "would a 34 be too small for me?", return_items=items)
    events, _ = await run(ValidateReturnForm(), tracker)
    assert _final(events, "return_reason") == []


@pytest.mark.parametrize(
    ("intent", "text", "resolution"),
    [
        ("refund_status", "refund", "refund"),
        ("return_policy", "Refund please", "refund"),
        ("start_return", "an exchange", "exchange"),
        ("nlu_fallback", "store credit is fine", "store_credit"),
    ],
)
async def test_a_short_answer_names_the_resolution_whatever_the_intent(
    intent: str, text: str, resolution: str
) -> None:
    """The domain's mapping leaves some intents to their own flows; the answer is read anyway."""
    slots = verified(
        "1012",
        BEN,
        return_items=[line_id(1012, "Trailmark")],
        return_reason="too_big",
        return_condition=True,
        requested_slot="return_resolution",
    )
    tracker = make_tracker(slots=slots, intent=intent, text=text, active_loop=FORM)
    events, said = await run(ValidateReturnForm(), tracker)
    assert [e for e in events if e.get("name") == "return_resolution"][-1] == SlotSet(
        "return_resolution", resolution
    )
    assert said == []


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("return_policy", "do refunds go back to my card?"),
        ("return_policy", "how many days does a refund usually take to reach a bank account"),
        ("human_handoff", "refund, or a person"),
        ("stop", "forget the refund"),
    ],
)
async def test_questions_and_form_enders_are_not_read_as_the_resolution(intent: str, text: str) -> None:
    slots = verified(
        "1012",
        BEN,
        return_items=[line_id(1012, "Trailmark")],
        return_reason="too_big",
        return_condition=True,
        requested_slot="return_resolution",
    )
    tracker = make_tracker(slots=slots, intent=intent, text=text, active_loop=FORM)
    events, _ = await run(ValidateReturnForm(), tracker)
    assert [e for e in events if e.get("name") == "return_resolution"] == []


# -- @dialogue: a resolution named before the form asks for it (issue #12) -------------------------


def _at(requested: str, intent: str, text: str, **set_this_turn: Any) -> Any:
    """The return form at ``requested`` for order 1012 (one item, Trailmark), after ``text``."""
    answered = {"return_items": [line_id(1012, "Trailmark")], "return_reason": "too_big"}
    earlier = dict(
        list(answered.items())[: ("return_items", "return_reason", "return_condition").index(requested)]
    )
    slots = verified("1012", BEN, requested_slot=requested, **earlier)
    return make_tracker(slots=slots, set_this_turn=set_this_turn, intent=intent, text=text, active_loop=FORM)


@pytest.mark.parametrize(
    ("requested", "intent", "text", "set_this_turn", "resolution", "noted"),
    [
        ("return_condition", "affirm", "refund please", {"return_condition": True}, "refund",
         "utter_return_preference_refund"),
        ("return_condition", "refund_status", "just give me my money back", {}, "refund",
         "utter_return_preference_refund"),
        ("return_reason", "inform", "store credit is fine", {"return_reason": "store credit is fine"},
         "store_credit", "utter_return_preference_store_credit"),
        ("return_items", "return_policy", "a refund, thanks", {"return_items": "a refund, thanks"}, "refund",
         "utter_return_preference_refund"),
        ("return_condition", "inform", "can I swap it for a bigger one instead", {}, "exchange",
         "utter_return_preference_exchange"),
        ("return_condition", "start_return", "I'd like a bigger size please", {}, "exchange",
         "utter_return_preference_exchange"),
    ],
)  # fmt: skip
async def test_a_preference_at_an_earlier_question_is_kept_and_the_question_asked_again(
    requested: str, intent: str, text: str, set_this_turn: Dict[str, Any], resolution: str, noted: str
) -> None:
    events, said = await run(ValidateReturnForm(), _at(requested, intent, text, **set_this_turn))
    assert responses(said) == [noted]  # no "unclear", no refusal of worn items
    assert _final(events, "return_resolution") == [SlotSet("return_resolution", resolution)]
    assert _final(events, requested) in ([], [SlotSet(requested, None)])  # not taken as the answer
    # the same question next ([]: every domain slot is required, Rasa's form asks the first empty one)
    assert _final(events, "requested_slot") in ([], [SlotSet("requested_slot", requested)])
    assert _final(events, "handoff_form_failures") in ([], [SlotSet("handoff_form_failures", None)])


@pytest.mark.parametrize(
    ("requested", "intent", "text", "set_this_turn", "answer"),
    [
        ("return_condition", "affirm", "yes, tags on. refund please", {"return_condition": True}, True),
        ("return_reason", "inform", "too small, refund please", {"return_reason": "too small, refund please"},
         "too_small"),
    ],
)  # fmt: skip
async def test_an_answer_naming_a_resolution_fills_both(
    requested: str, intent: str, text: str, set_this_turn: Dict[str, Any], answer: Any
) -> None:
    events, said = await run(ValidateReturnForm(), _at(requested, intent, text, **set_this_turn))
    assert said == []
    assert _final(events, requested) == [SlotSet(requested, answer)]
    assert _final(events, "return_resolution") == [SlotSet("return_resolution", "refund")]
    assert _final(events, "requested_slot")[0]["value"] != "return_resolution"


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("return_policy", "do refunds go back to my card?"),  # a question: the policy answers it
        ("frustration", "forget it, just refund me, this is a joke"),  # its rule hands off
    ],
)
async def test_questions_and_form_enders_at_an_earlier_question_are_no_preference(
    intent: str, text: str
) -> None:
    events, said = await run(ValidateReturnForm(), _at("return_condition", intent, text))
    assert _final(events, "return_resolution") == []
    assert said == []


async def test_exchange_leaves_the_next_question_to_the_form() -> None:
    # every domain slot is still required, so Rasa's FormAction itself asks for exchange_choice next
    slots = verified(
        "1012", BEN, return_items=[line_id(1012, "Trailmark")], return_reason="too_big", return_condition=True
    )
    events, said = await run(ValidateReturnForm(), step(slots, return_resolution="swap for another size"))
    assert (events, said) == ([SlotSet("return_resolution", "exchange")], [])


async def test_exchange_needs_a_single_item() -> None:
    slots = verified(
        "1002",
        AVA,
        return_items=[i.id for i in line_items(1002)],
        return_reason="too_big",
        return_condition=True,
    )
    events, said = await run(ValidateReturnForm(), step(slots, return_resolution="exchange"))
    assert responses(said) == ["utter_exchange_one_item"]
    assert events == [SlotSet("return_resolution", None), SlotSet("requested_slot", "return_resolution")]


def exchange_slots() -> Dict[str, Any]:
    return verified(
        "1012",
        BEN,
        return_items=[line_id(1012, "Trailmark")],
        return_reason="too_small",
        return_condition=True,
        return_resolution="exchange",
    )


async def test_out_of_stock_exchange_is_refused_and_asked_again() -> None:
    bought = line_items(1012)[0]
    sold_out = next(v for v in variants_of(bought.sku) if v.inventory_quantity == 0 and v.sku != bought.sku)
    choice = f"{sold_out.size} / {sold_out.color}"
    events, said = await run(ValidateReturnForm(), step(exchange_slots(), exchange_choice=choice))
    assert said == [
        {"response": "utter_exchange_out_of_stock", "product": "Trailmark Summit Hiker", "choice": choice}
    ]
    assert events == [SlotSet("exchange_choice", None)]


async def test_in_stock_exchange_keeps_the_sku() -> None:
    bought = line_items(1012)[0]
    wanted = next(v for v in variants_of(bought.sku) if v.inventory_quantity > 0 and v.sku != bought.sku)
    events, said = await run(
        ValidateReturnForm(), step(exchange_slots(), exchange_choice=f"{wanted.size} / {wanted.color}")
    )
    assert said == []
    assert events == [
        SlotSet("exchange_choice", f"{wanted.size} / {wanted.color}"),
        SlotSet("exchange_sku", wanted.sku),
    ]


async def test_refund_instead_of_an_exchange() -> None:
    events, _ = await run(ValidateReturnForm(), step(exchange_slots(), exchange_choice="refund instead"))
    assert events == [
        SlotSet("exchange_choice", None),
        SlotSet("return_resolution", "refund"),
        SlotSet("requested_slot", "return_confirmed"),
    ]


# -- the prompts ----------------------------------------------------------------------------------


async def test_items_prompt_lists_every_item_as_a_button() -> None:
    events, said = await run(ActionAskReturnItems(), make_tracker(slots=verified("1010", AVA)))
    assert events == []
    assert said == [
        {
            "response": "utter_ask_return_items",
            "buttons": [{"title": item.title, "payload": item.title} for item in line_items(1010)],
        }
    ]
    _, said = await run(ActionAskReturnItems(), make_tracker(slots=verified("1002", AVA)))
    assert responses(said) == ["utter_ask_return_items_several"]


async def test_exchange_prompt_offers_only_other_in_stock_variants() -> None:
    bought = line_items(1012)[0]
    _, said = await run(ActionAskExchangeChoice(), make_tracker(slots=exchange_slots()))
    offered = {b["payload"] for b in said[0]["buttons"]}
    in_stock = {
        f"{v.size} / {v.color}"
        for v in variants_of(bought.sku)
        if v.inventory_quantity > 0 and v.sku != bought.sku
    }
    assert said[0]["response"] == "utter_ask_exchange_choice" and said[0]["item"] == bought.title
    assert offered and offered <= in_stock
    assert f"{bought.size} / {bought.color}" not in offered


async def test_exchange_prompt_offers_smaller_sizes_first_for_an_item_too_big() -> None:
    """Trailmark boots too big: the same colour's smaller sizes first, nearest first."""
    bought = line_items(1012)[0]
    slots = {**exchange_slots(), "return_reason": "too_big"}
    _, said = await run(ActionAskExchangeChoice(), make_tracker(slots=slots))
    sizes = [b["payload"].split(" / ")[0] for b in said[0]["buttons"] if b["payload"].endswith(bought.color)]
    smaller = [s for s in sizes if size_sort_key(s) < size_sort_key(bought.size)]
    assert smaller and sizes[: len(smaller)] == sorted(smaller, key=size_sort_key, reverse=True), sizes


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("too_big", ["US 9", "US 8", "US 7", "US 10", "US 10.5", "US 13"]),
        ("too_small", ["US 10", "US 10.5", "US 13", "US 9", "US 8", "US 7"]),
        (None, ["US 9", "US 10", "US 10.5", "US 8", "US 7", "US 13"]),
    ],
)
def test_exchange_sizes_go_the_way_the_reason_points(reason, expected) -> None:
    sizes = ["US 10", "US 10.5", "US 13", "US 7", "US 8", "US 9"]  # as text sorts them
    assert (
        sorted(sizes, key=lambda size: exchange_order(size, "White", "US 9.5", "White", reason)) == expected
    )


async def test_confirmation_sums_up_items_and_label_cost() -> None:
    slots = verified("1002", AVA, return_items=[line_id(1002, "Slim Fit")], return_resolution="refund")
    _, said = await run(ActionAskReturnConfirmed(), make_tracker(slots=slots))
    assert said == [
        {
            "response": "utter_ask_return_confirmed_refund",
            "order": "#1002",
            "items": "1 x Slim Fit Selvedge Jeans - 32 / Indigo",
            "return_shipping_cost": "$6.95",
        }
    ]


# -- writing the return ---------------------------------------------------------------------------


def ready(**more: Any) -> Dict[str, Any]:
    return verified(
        "1002",
        AVA,
        return_items=[line_id(1002, "Slim Fit")],
        return_reason="too_small",
        return_condition=True,
        return_resolution="refund",
        return_confirmed=True,
        **more,
    )


def returns_of(number: int) -> list:
    with session_scope() as session:
        return [
            (r.rma, r.status, r.reason, r.resolution, sorted((i.line_item_id, i.quantity) for i in r.items))
            for r in session.execute(select(Return).where(Return.rma.like(f"RMA-{number}-%"))).scalars()
        ]


async def test_confirmed_refund_writes_the_return_and_gives_the_rma() -> None:
    events, said = await run(ActionSubmitReturn(), make_tracker(slots=ready()))
    assert said == [
        {
            "response": "utter_return_created_refund",
            "rma": "RMA-1002-1",
            "refund_days": "5",
            "return_shipping_cost": "$6.95",
        }
    ]
    assert events == [*RESET, SlotSet("last_rma", "RMA-1002-1")]
    assert returns_of(1002) == [
        ("RMA-1002-1", "requested", "too_small", "refund", [(line_id(1002, "Slim Fit"), 1)])
    ]


async def test_the_same_return_twice_gives_the_same_rma() -> None:
    await run(ActionSubmitReturn(), make_tracker(slots=ready()))
    _, said = await run(ActionSubmitReturn(), make_tracker(slots=ready()))
    assert said[0]["rma"] == "RMA-1002-1"
    assert len(returns_of(1002)) == 1


async def test_exchange_is_written_with_the_new_sku() -> None:
    bought = line_items(1012)[0]
    wanted = next(v for v in variants_of(bought.sku) if v.inventory_quantity > 0 and v.sku != bought.sku)
    slots = {
        **exchange_slots(),
        "exchange_choice": f"{wanted.size} / {wanted.color}",
        "exchange_sku": wanted.sku,
        "return_confirmed": True,
    }
    _, said = await run(ActionSubmitReturn(), make_tracker(slots=slots))
    assert responses(said) == ["utter_return_created_exchange"]
    with session_scope() as session:
        ret = session.execute(select(Return).where(Return.rma == said[0]["rma"])).scalar_one()
        assert (ret.resolution, ret.exchange_sku) == ("exchange", wanted.sku)


async def test_declined_confirmation_writes_nothing() -> None:
    events, said = await run(ActionSubmitReturn(), make_tracker(slots={**ready(), "return_confirmed": False}))
    assert (events, responses(said)) == (RESET, ["utter_return_not_started"])
    assert returns_of(1002) == []


async def test_a_stopped_form_writes_nothing_and_says_nothing() -> None:
    events, said = await run(ActionSubmitReturn(), make_tracker(slots=verified("1006", ELLA)))
    assert (events, said) == (RESET, [])


async def test_store_failure_on_submit_apologises(store_down: None) -> None:
    slots = verified(
        "1002",
        AVA,
        return_items=[3],
        return_reason="too_small",
        return_resolution="refund",
        return_confirmed=True,
    )
    events, said = await run(ActionSubmitReturn(), make_tracker(slots=slots))
    assert responses(said) == ["utter_store_unavailable"]
    assert events == [*RESET, SlotSet("handoff_reason", "action_failed")]


@pytest.mark.parametrize(
    ("text", "item_change"),
    [
        ("I want to change an item in my order", True),
        ("can I swap the colour of something in my order", True),
        ("I ordered the wrong colour, can I swap it", False),
        ("the jacket I ordered is the wrong size, I need a bigger one", False),
        ("I want to exchange an item in my order", False),
        ("i want to return my jeans", False),
    ],
)
async def test_a_change_to_the_items_of_an_order_is_not_started_as_a_return(
    text: str, item_change: bool
) -> None:
    tracker = make_tracker(intent="start_return", text=text, active_loop=FORM)
    events, said = await run(ValidateReturnForm(), tracker)
    if item_change:
        assert (events, said) == (STOP, [{"response": "utter_order_items_change", "window_days": "30"}])
    else:
        assert "utter_order_items_change" not in responses(said)
        assert STOP[0] not in events
