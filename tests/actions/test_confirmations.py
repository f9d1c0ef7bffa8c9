"""Natural yes/no answers at every confirmation (issue #12, dialogue).

The reader is checked on its own (a table of shopper phrasings), then through the real form
validators against the sample store: the answer fills the confirmation slot in the same turn.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk.events import SlotSet

from actions.confirmations import is_puzzled, read_yes_no
from actions.forms import ActionLeaveForm
from actions.order_forms import ValidateCancelOrderForm, ValidateChangeAddressForm
from actions.return_form import ValidateReturnForm
from tests.actions.order_support import AVA, BEN, make_tracker, run
from tests.support.trackers import tracker_from_events


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("sure, go ahead", True),
        ("yep, go ahead and cancel", True),
        ("Yes please", True),
        ("ok do it", True),
        ("sounds good", True),
        ("that's right", True),
        ("no, leave it as it is", False),
        ("nah keep it", False),
        ("No thanks", False),
        ("don't", False),
        ("I changed my mind", False),
        ("wait, leave it please", False),
        ("yes... no wait", None),
        ("what colours does the hoodie come in", None),
        ("", None),
        ("not really", False),
        ("please don't cancel it", False),
        ("I don't think so", False),
        ("I'd rather not", False),
        ("not right now", False),
        ("they don't fit", None),  # a statement about the item, no answer to the question
        ("it's not the right colour", None),
    ],
)
def test_shopper_yes_no(text: str, answer: Optional[bool]) -> None:
    assert read_yes_no(text) is answer


def _waiting_for(slot: str, form: str, number: str, contact: str, **extra: Any) -> Dict[str, Any]:
    return {
        "order_number": number,
        "order_contact": contact,
        "verified_order": number,
        "requested_slot": slot,
        **extra,
    }


def _slot_events(events: List[Dict[str, Any]], slot: str) -> List[Dict[str, Any]]:
    return [e for e in events if e.get("event") == "slot" and e.get("name") == slot]


@pytest.mark.usefixtures("order_store")
@pytest.mark.parametrize(
    ("intent", "text", "answer"),
    [
        ("cancel_order", "yep, go ahead and cancel", True),
        ("inform", "sure, go ahead", True),
        ("inform", "nah keep it", False),
        ("nlu_fallback", "no, leave it as it is", False),
    ],
)
async def test_cancel_confirmation_reads_the_answer(intent: str, text: str, answer: bool) -> None:
    tracker = make_tracker(
        slots=_waiting_for("cancel_confirmed", "cancel_order_form", "1003", BEN),
        intent=intent,
        text=text,
        active_loop="cancel_order_form",
    )
    events, said = await run(ValidateCancelOrderForm(), tracker)
    assert _slot_events(events, "cancel_confirmed") == [SlotSet("cancel_confirmed", answer)]
    assert said == []


@pytest.mark.usefixtures("order_store")
@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("human_handoff", "no, get me a person"),
        ("frustration", "no no no this is useless"),
        ("inform", "hmm"),
    ],
)
async def test_cancel_confirmation_leaves_interruptions_and_unclear_text_alone(
    intent: str, text: str
) -> None:
    tracker = make_tracker(
        slots=_waiting_for("cancel_confirmed", "cancel_order_form", "1003", BEN),
        intent=intent,
        text=text,
        active_loop="cancel_order_form",
    )
    events, _ = await run(ValidateCancelOrderForm(), tracker)
    assert _slot_events(events, "cancel_confirmed") == []


@pytest.mark.parametrize(
    ("text", "puzzled"),
    [("huh", True), ("huh?", True), ("sorry, what?", True), ("what do you mean?", True),
     ("I don\u2019t understand", True), ("come again?", True), ("uh huh", False), ("yes", False),
     ("hmm ok", False), ("what is the refund amount", False), ("no", False)],
)  # fmt: skip
def test_a_puzzled_reply_is_told_from_an_answer(text: str, puzzled: bool) -> None:
    assert is_puzzled(text) is puzzled


@pytest.mark.usefixtures("order_store")
@pytest.mark.parametrize(("text", "answer"), [("huh", None), ("what do you mean?", None), ("yes", True)])
async def test_a_puzzled_reply_classified_as_a_yes_cancels_nothing(text: str, answer: Optional[bool]) -> None:
    """The domain maps ``affirm`` onto the confirmation before the validator runs ("huh" is read as
    "uh huh"): the validator takes that yes back, and the form asks again. A plain yes stands."""
    tracker = make_tracker(
        slots=_waiting_for("cancel_confirmed", "cancel_order_form", "1003", BEN),
        set_this_turn={"cancel_confirmed": True},
        intent="affirm",
        text=text,
        active_loop="cancel_order_form",
    )
    events, said = await run(ValidateCancelOrderForm(), tracker)
    assert _slot_events(events, "cancel_confirmed") == [SlotSet("cancel_confirmed", answer)]
    assert said == []


@pytest.mark.usefixtures("order_store")
async def test_asking_for_the_address_change_again_confirms_it() -> None:
    slots = _waiting_for(
        "address_confirmed",
        "change_address_form",
        "1003",
        BEN,
        new_address1="12 Elm Street",
        new_city="Portland, OR",
        new_postal_code="97201",
    )
    tracker = make_tracker(
        slots=slots, intent="change_address", text="yes change it to that", active_loop="change_address_form"
    )
    events, _ = await run(ValidateChangeAddressForm(), tracker)
    assert _slot_events(events, "address_confirmed") == [SlotSet("address_confirmed", True)]


@pytest.mark.usefixtures("order_store")
async def test_a_refusal_at_the_return_confirmation_is_read() -> None:
    slots = _waiting_for(
        "return_confirmed",
        "return_form",
        "1002",
        AVA,
        return_items=["Slim Fit Selvedge Jeans - 32 / Indigo"],
        return_reason="damaged",
        return_resolution="refund",
    )
    tracker = make_tracker(
        slots=slots, intent="inform", text="nah, leave it as it is", active_loop="return_form"
    )
    events, _ = await run(ValidateReturnForm(), tracker)
    assert _slot_events(events, "return_confirmed") == [SlotSet("return_confirmed", False)]


# -- "stop" at a confirmation is a refusal ---------------------------------------------------------


def _stopped_at(question: str) -> Any:
    events = [
        {"event": "slot", "name": "requested_slot", "value": question},
        {"event": "user", "text": "no, leave it as it is", "parse_data": {"intent": {"name": "stop"}}},
        {"event": "action", "name": "action_deactivate_loop"},
        {"event": "active_loop", "name": None},
        {"event": "slot", "name": "requested_slot", "value": None},
    ]
    return tracker_from_events(events, slots={"verified_order": "1003", question: None})


@pytest.mark.usefixtures("order_store")
@pytest.mark.parametrize(
    ("question", "response"),
    [
        ("cancel_confirmed", "utter_order_kept"),
        ("address_confirmed", "utter_address_kept"),
        ("return_confirmed", "utter_return_not_started"),
        ("new_city", "utter_form_stopped"),
    ],
)
async def test_stop_at_a_confirmation_says_nothing_changed(question: str, response: str) -> None:
    _, said = await run(ActionLeaveForm(), _stopped_at(question))
    assert [m["response"] for m in said] == [response]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("nah I'm fine", False), ("I'm good thanks", False), ("no thanks, leave it", False),
     ("sure, go ahead", True), ("yeah please", True), ("that's fine", True)],
)  # fmt: skip
def test_im_fine_is_a_no_and_thats_fine_a_yes(text: str, expected: bool) -> None:
    assert read_yes_no(text) is expected
