"""actions/handoff_triggers.py: the third failed answer to the same form question hands off."""

from __future__ import annotations

from typing import Any, Dict

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff_triggers import (
    HandoffOnRepeatedFailure,
    clear_form_failures,
    failure_count,
    record_form_failure,
    with_handoff_followup,
)
from tests.handoff.support import DOMAIN, tracker_from_events, user


def tracker_with(counts: Dict[str, int] | None, *, text: str = "blue") -> Tracker:
    return tracker_from_events(
        [user(text, "inform")], slots={"handoff_form_failures": counts}, active_loop="demo_form"
    )


def test_first_and_second_failures_count_and_ask_again() -> None:
    assert record_form_failure(tracker_with(None), "size") == {
        "size": None,
        "handoff_form_failures": {"demo_form:size": 1},
    }
    assert record_form_failure(tracker_with({"demo_form:size": 1}), "size") == {
        "size": None,
        "handoff_form_failures": {"demo_form:size": 2},
    }
    assert failure_count(tracker_with({"demo_form:size": 2}), "size") == 2


def test_third_failure_gives_up_on_the_question() -> None:
    result = record_form_failure(tracker_with({"demo_form:size": 2, "demo_form:color": 1}), "size")
    assert result == {
        "size": None,
        "handoff_form_failures": {"demo_form:color": 1},
        "handoff_reason": "form_failed",
        "requested_slot": None,
    }


def test_questions_and_forms_count_separately() -> None:
    counts = {"demo_form:size": 2}
    assert record_form_failure(tracker_with(counts), "color")["handoff_form_failures"] == {
        "demo_form:size": 2,
        "demo_form:color": 1,
    }
    assert record_form_failure(tracker_with(counts), "size", form="other_form")["handoff_form_failures"] == {
        "demo_form:size": 2,
        "other_form:size": 1,
    }


def test_a_good_answer_clears_the_count() -> None:
    assert clear_form_failures(tracker_with({"demo_form:size": 2}), "size") == {"handoff_form_failures": {}}
    assert clear_form_failures(tracker_with(None), "size") == {}


def test_followup_only_after_giving_up() -> None:
    quiet = [SlotSet("size", None)]
    assert with_handoff_followup(quiet) == quiet
    gave_up = [SlotSet("handoff_reason", "form_failed")]
    assert with_handoff_followup(gave_up) == [
        *gave_up,
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        FollowupAction("action_handoff"),
    ]


class ValidateDemoForm(HandoffOnRepeatedFailure):
    """A form validator written the way the module docstring tells form owners to."""

    def name(self) -> str:
        return "validate_demo_form"

    async def validate_size(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value in ("S", "M", "L"):
            return {"size": value, **clear_form_failures(tracker, "size")}
        return record_form_failure(tracker, "size")


async def test_validator_hands_off_on_the_third_bad_answer() -> None:
    domain = {**DOMAIN, "forms": {"demo_form": {"required_slots": ["size"]}}}

    def events() -> list:
        return [user("purple", "inform"), {"event": "slot", "name": "size", "value": "purple"}]

    tracker = tracker_from_events(
        events(),
        slots={"handoff_form_failures": {"demo_form:size": 2}, "requested_slot": "size", "size": "purple"},
        active_loop="demo_form",
    )
    result = await ValidateDemoForm().run(CollectingDispatcher(), tracker, domain)
    assert result[-3:] == [
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        FollowupAction("action_handoff"),
    ]
    assert SlotSet("handoff_reason", "form_failed") in result and SlotSet("size", None) in result

    tracker = tracker_from_events(
        events(),
        slots={"handoff_form_failures": {"demo_form:size": 1}, "requested_slot": "size", "size": "purple"},
        active_loop="demo_form",
    )
    result = await ValidateDemoForm().run(CollectingDispatcher(), tracker, domain)
    assert FollowupAction("action_handoff") not in result
    assert SlotSet("handoff_form_failures", {"demo_form:size": 2}) in result


def test_the_abstract_base_is_not_registered_as_an_action() -> None:
    import inspect

    assert inspect.isabstract(HandoffOnRepeatedFailure)
