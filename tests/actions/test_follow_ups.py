"""A second request in the same message, and "can I return it?" about the order in context."""

from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction

from actions.follow_ups import (
    delivery_of_order_in_context,
    delivery_of_order_in_context_follow_up,
    order_named_too,
    return_of_order_in_context,
)
from tests.actions.catalog_support import entity
from tests.support.trackers import make_tracker

VERIFIED = {"verified_order": "1002", "order_contact": "ava.shopper@example.com"}


def test_an_order_number_beside_a_shipping_question_is_looked_up_next() -> None:
    tracker = make_tracker(
        text="where's order 1001, and do you ship to canada?",
        intent="shipping_info",
        entities=[entity("order_number", "1001"), entity("country", "Canada")],
    )
    assert order_named_too(tracker) == [FollowupAction("order_status_form")]


def test_no_order_number_or_a_running_flow_starts_nothing() -> None:
    assert order_named_too(make_tracker(text="do you ship to canada", intent="shipping_info")) == []
    inside = make_tracker(text="shipping for 1001?", intent="shipping_info", active_loop="return_form",
                          entities=[entity("order_number", "1001")])  # fmt: skip
    assert order_named_too(inside) == []


@pytest.mark.parametrize("text", ["can I send it back?", "can I return these?", "could that go back"])
def test_a_return_question_pointing_back_at_the_verified_order_starts_its_return(text: str) -> None:
    tracker = make_tracker(slots=VERIFIED, text=text, intent="return_policy")
    assert return_of_order_in_context(tracker) == [FollowupAction("return_form")]


@pytest.mark.parametrize(
    ("slots", "text", "loop"),
    [
        ({}, "can I send it back?", None),  # no order in context
        (VERIFIED, "what's your return policy?", None),  # about the rules, not the order
        (VERIFIED, "is it your policy to refund shipping?", None),
        (VERIFIED, "can I send it back?", "cancel_order_form"),  # a digression inside a flow
    ],
)
def test_otherwise_the_policy_is_stated(slots: dict, text: str, loop: str) -> None:
    tracker = make_tracker(slots=slots, text=text, intent="return_policy", active_loop=loop)
    assert return_of_order_in_context(tracker) == []


# -- "when will it arrive?" about the verified order ----------------------------------------------


@pytest.mark.parametrize(
    "text", ["when will it arrive exactly?", "when's my parcel getting here", "when do they come"]
)
def test_a_delivery_question_pointing_back_at_the_verified_order_is_its_status(text: str) -> None:
    tracker = make_tracker(slots=VERIFIED, text=text, intent="shipping_info")
    assert delivery_of_order_in_context(tracker)
    assert delivery_of_order_in_context_follow_up(tracker) == [FollowupAction("order_status_form")]


@pytest.mark.parametrize(
    ("slots", "text", "entities", "loop"),
    [
        ({}, "when will it arrive?", [], None),  # no order in context
        (VERIFIED, "how long does shipping take?", [], None),  # the store's shipping times
        (VERIFIED, "how long would it take to get to Canada?", [entity("country", "Canada")], None),
        (VERIFIED, "when will it arrive?", [], "return_form"),  # a digression inside a flow
    ],
)
def test_otherwise_shipping_times_are_given(slots: dict, text: str, entities: list, loop: str) -> None:
    tracker = make_tracker(
        slots=slots, text=text, intent="shipping_info", entities=entities, active_loop=loop
    )
    assert delivery_of_order_in_context_follow_up(tracker) == []
