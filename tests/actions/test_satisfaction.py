"""The rating at a goodbye: asked once a day, never during a handoff; a tapped rating is kept."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable

from rasa_sdk.events import FollowupAction, SlotSet

from actions.satisfaction import ActionOfferSatisfaction, ActionRecordSatisfaction, ActionThankForFeedback
from core import clock
from store import db
from store.codes import HandoffReason
from store.handoffs import create_handoff
from tests.actions.order_support import run
from tests.support.trackers import make_tracker

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)


async def test_a_goodbye_asks_for_a_rating_and_notes_when(order_store: str) -> None:
    with clock.pinned(NOW):
        events, said = await run(ActionOfferSatisfaction(), make_tracker(intent="goodbye"))
    assert said == [{"response": "utter_ask_satisfaction"}]
    assert events == [SlotSet("csat_asked_at", NOW.isoformat())]


async def test_a_second_goodbye_within_a_day_is_not_asked(order_store: str) -> None:
    earlier = (NOW - timedelta(hours=3)).isoformat()
    with clock.pinned(NOW):
        events, said = await run(
            ActionOfferSatisfaction(), make_tracker(intent="goodbye", slots={"csat_asked_at": earlier})
        )
    assert (events, said) == ([], [])


async def test_no_rating_while_a_person_has_the_conversation(
    order_store: str, use_store: Callable[[str], None]
) -> None:
    with db.session_scope() as session:
        create_handoff(
            session, conversation_id="shopper-1", channel="rest", reason=HandoffReason.REQUESTED,
            summary="", context={}, now=NOW,
        )  # fmt: skip
    with clock.pinned(NOW):
        events, said = await run(ActionOfferSatisfaction(), make_tracker(intent="goodbye"))
    assert (events, said) == ([], [])


async def test_a_rating_that_was_asked_for_is_kept_and_a_comment_invited() -> None:
    tracker = make_tracker(
        intent="inform", slots={"csat_asked_at": NOW.isoformat()}, set_this_turn={"csat_score": "4"},
        entities=[{"entity": "csat_score", "value": "4"}],
    )  # fmt: skip
    events, said = await run(ActionRecordSatisfaction(), tracker)
    assert said == []
    assert events == [
        SlotSet("csat_score", "4"),
        SlotSet("csat_comment", None),
        FollowupAction("satisfaction_comment_form"),
    ]


async def test_a_rating_nobody_asked_for_or_out_of_range_is_dropped() -> None:
    unasked = make_tracker(intent="inform", set_this_turn={"csat_score": "5"})
    out_of_range = make_tracker(
        intent="inform", slots={"csat_asked_at": NOW.isoformat()}, set_this_turn={"csat_score": "9"}
    )
    for tracker in (unasked, out_of_range):
        events, said = await run(ActionRecordSatisfaction(), tracker)
        assert said == [{"response": "utter_satisfaction_not_asked"}]
        assert events == [SlotSet("csat_score", None), SlotSet("csat_comment", None)]


async def test_the_comment_is_kept_trimmed_and_no_thanks_is_empty() -> None:
    events, said = await run(
        ActionThankForFeedback(), make_tracker(text="  so   quick ", slots={"csat_comment": "  so   quick "})
    )
    assert said == [{"response": "utter_satisfaction_thanks"}]
    assert events == [SlotSet("csat_comment", "so quick")]
    events, _ = await run(ActionThankForFeedback(), make_tracker(intent="deny", slots={"csat_comment": "-"}))
    assert events == [SlotSet("csat_comment", "")]
