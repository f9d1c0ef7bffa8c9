"""Cancelling and re-addressing an unshipped order (verify, confirm, write) and leaving a form."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from sqlalchemy import select

from actions.forms import ActionLeaveForm
from actions.order_changes import ADDRESS_SLOTS, CANCEL_SLOTS, ActionCancelOrder, ActionChangeAddress
from actions.order_forms import (
    ActionAskAddressConfirmed,
    ActionAskCancelConfirmed,
    ValidateCancelOrderForm,
    ValidateChangeAddressForm,
    changes_items,
    says_not_what_to_change,
)
from store.db import session_scope
from store.models import Variant
from tests.actions.order_support import (
    AVA,
    BEN,
    FINN,
    line_items,
    make_tracker,
    order_row,
    responses,
    run,
    set_high_value_threshold,
)

pytestmark = pytest.mark.usefixtures("order_store")
STOP = [ActiveLoop(None), SlotSet("requested_slot", None)]
CANCEL_RESET = [SlotSet(slot, None) for slot in CANCEL_SLOTS]
ADDRESS_RESET = [SlotSet(slot, None) for slot in ADDRESS_SLOTS]


def verified(number: str, contact: str, **slots: Any) -> Dict[str, Any]:
    return {"order_number": number, "order_contact": contact, "verified_order": number, **slots}


def stock(sku: str) -> int:
    with session_scope() as session:
        return session.execute(select(Variant.inventory_quantity).where(Variant.sku == sku)).scalar_one()


# -- cancel ---------------------------------------------------------------------------------------


async def test_unshipped_order_is_verified_and_the_form_goes_on() -> None:
    tracker = make_tracker(
        slots={"order_number": "1003"}, set_this_turn={"order_contact": BEN}, active_loop="cancel_order_form"
    )
    events, said = await run(ValidateCancelOrderForm(), tracker)
    assert said == []
    assert events == [
        SlotSet("order_contact", BEN),
        SlotSet("order_contact", BEN),
        SlotSet("verified_order", "1003"),
        SlotSet("order_lookup_attempts", None),
    ]


PERSON_NOW = [SlotSet("handoff_reason", "high_value_order"), FollowupAction("action_handoff")]


@pytest.mark.parametrize(
    ("number", "contact", "response", "after"),
    [
        ("1001", AVA, "utter_cannot_cancel_shipped", STOP),  # $247.17: below the $250 threshold
        ("1004", "chloe.customer@example.com", "utter_cannot_cancel_shipped", STOP + PERSON_NOW),
        ("1007", FINN, "utter_cannot_cancel_cancelled", STOP),  # nothing to solve: it is cancelled
    ],
)
async def test_an_order_that_moved_on_cannot_be_cancelled(
    number: str, contact: str, response: str, after: List[Any]
) -> None:
    tracker = make_tracker(
        slots={"order_number": number},
        set_this_turn={"order_contact": contact},
        active_loop="cancel_order_form",
    )
    events, said = await run(ValidateCancelOrderForm(), tracker)
    assert responses(said) == [response]
    assert said[0]["order"] == f"#{number}"
    assert events[-len(after) :] == after
    assert not any(e["event"] == "followup" for e in events[: -len(after)])


async def test_the_high_value_threshold_comes_from_the_store() -> None:
    set_high_value_threshold("200.00")  # store.yaml lowered: #1001 ($247.17) is now high-value
    tracker = make_tracker(
        slots={"order_number": "1001"}, set_this_turn={"order_contact": AVA}, active_loop="cancel_order_form"
    )
    events, said = await run(ValidateCancelOrderForm(), tracker)
    assert responses(said) == ["utter_cannot_cancel_shipped"]
    assert events[-4:] == STOP + PERSON_NOW


async def test_cancel_confirmation_shows_items_and_refund() -> None:
    _, said = await run(ActionAskCancelConfirmed(), make_tracker(slots=verified("1003", BEN)))
    order = order_row(1003)
    assert responses(said) == ["utter_ask_cancel_confirmed"]
    assert said[0]["total"] == f"${order.total:,.2f}"
    assert said[0]["items"] == "\n".join(f"{i.quantity} x {i.title}" for i in line_items(1003))


async def test_confirmed_cancel_cancels_refunds_and_restocks() -> None:
    before = {i.sku: stock(i.sku) for i in line_items(1003)}
    events, said = await run(
        ActionCancelOrder(), make_tracker(slots=verified("1003", BEN, cancel_confirmed=True))
    )
    order = order_row(1003)
    assert responses(said) == ["utter_order_cancel_done"]
    assert said[0]["total"] == f"${order.total:,.2f}"
    assert events == CANCEL_RESET
    assert order.cancelled_at is not None and order.financial_status == "refunded"
    assert {i.sku: stock(i.sku) for i in line_items(1003)} == {sku: q + 1 for sku, q in before.items()}


async def test_declined_cancel_changes_nothing() -> None:
    events, said = await run(
        ActionCancelOrder(), make_tracker(slots=verified("1003", BEN, cancel_confirmed=False))
    )
    assert (events, responses(said)) == (CANCEL_RESET, ["utter_order_kept"])
    assert order_row(1003).cancelled_at is None


async def test_cancel_refused_by_the_store_is_explained() -> None:
    events, said = await run(
        ActionCancelOrder(), make_tracker(slots=verified("1001", AVA, cancel_confirmed=True))
    )
    assert (events, responses(said)) == (CANCEL_RESET, ["utter_cannot_cancel_shipped"])
    assert order_row(1001).cancelled_at is None


async def test_a_cancel_blocked_past_the_time_limit_changes_nothing_and_says_so(
    order_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer holds the store's write lock for longer than the limit (issue: trust)."""
    monkeypatch.setenv("STORE_QUERY_TIMEOUT_SECONDS", "0.2")
    assert order_row(1003).cancelled_at is None  # (the store's own connection set up WAL first)
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1))  # one worker: see below
    locker = sqlite3.connect(order_store.split("///", 1)[1], isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        events, said = await run(
            ActionCancelOrder(), make_tracker(slots=verified("1003", BEN, cancel_confirmed=True))
        )
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    # the lock is gone: a store call still running in the background would now commit the cancel;
    # one more call on the single worker returns only after every earlier one has ended
    await loop.run_in_executor(None, lambda: None)
    assert responses(said) == ["utter_store_unavailable"]
    assert events == [*CANCEL_RESET, SlotSet("handoff_reason", "action_failed")]
    assert order_row(1003).cancelled_at is None


async def test_cancel_with_the_store_down_apologises(store_down: None) -> None:
    events, said = await run(
        ActionCancelOrder(), make_tracker(slots=verified("1003", BEN, cancel_confirmed=True))
    )
    assert responses(said) == ["utter_store_unavailable"]
    assert events == [*CANCEL_RESET, SlotSet("handoff_reason", "action_failed")]


# -- change address -------------------------------------------------------------------------------


def address_step(**set_this_turn: Any) -> Any:
    return make_tracker(
        slots=verified("1003", BEN), set_this_turn=set_this_turn, active_loop="change_address_form"
    )


async def test_shipped_order_cannot_be_redirected() -> None:
    tracker = make_tracker(
        slots={"order_number": "1001"},
        set_this_turn={"order_contact": AVA},
        active_loop="change_address_form",
    )
    events, said = await run(ValidateChangeAddressForm(), tracker)
    assert responses(said) == ["utter_cannot_change_address_shipped"]
    assert events[-2:] == STOP


@pytest.mark.parametrize(
    ("slot", "good", "bad"),
    [
        ("new_address1", "350  Fifth Ave", "Fifth Ave"),
        ("new_city", "New York, NY", "10118"),
        ("new_postal_code", "10118", "SW1A 1AA"),
    ],
)
async def test_each_address_part_is_checked(slot: str, good: str, bad: str) -> None:
    events, said = await run(ValidateChangeAddressForm(), address_step(**{slot: good}))
    assert (events, said) == (
        [
            SlotSet(
                slot, " ".join(good.split()).upper() if slot == "new_postal_code" else " ".join(good.split())
            )
        ],
        [],
    )
    events, said = await run(ValidateChangeAddressForm(), address_step(**{slot: bad}))
    assert events == [SlotSet(slot, None)]
    assert responses(said) == [f"utter_{slot}_invalid"]


def new_address(**more: Any) -> Dict[str, Any]:
    return verified(
        "1003", BEN, new_address1="350 Fifth Ave", new_city="New York, NY", new_postal_code="10118", **more
    )


async def test_address_confirmation_shows_old_and_new() -> None:
    _, said = await run(ActionAskAddressConfirmed(), make_tracker(slots=new_address()))
    assert responses(said) == ["utter_ask_address_confirmed"]
    assert said[0]["new_address"] == "350 Fifth Ave, New York NY, 10118, US"
    assert said[0]["address"] == "22 Park Ave, New York NY, 10001, US"


async def test_confirmed_change_writes_the_new_address() -> None:
    events, said = await run(ActionChangeAddress(), make_tracker(slots=new_address(address_confirmed=True)))
    assert said == [
        {"response": "utter_address_changed", **{k: said[0][k] for k in said[0] if k != "response"}}
    ]
    assert said[0]["address"] == "350 Fifth Ave, New York NY, 10118, US"
    assert events == ADDRESS_RESET
    stored = order_row(1003).shipping_address
    assert (
        stored["address1"],
        stored["city"],
        stored["region"],
        stored["postal_code"],
        stored["country"],
    ) == ("350 Fifth Ave", "New York", "NY", "10118", "US")


async def test_declined_change_keeps_the_address() -> None:
    events, said = await run(ActionChangeAddress(), make_tracker(slots=new_address(address_confirmed=False)))
    assert (events, responses(said)) == (ADDRESS_RESET, ["utter_address_kept"])
    assert order_row(1003).shipping_address["address1"] == "22 Park Ave"


# -- leaving a form -------------------------------------------------------------------------------


async def test_leaving_a_form_forgets_its_answers_but_keeps_the_verified_order() -> None:
    slots = verified("1002", AVA, return_items=[3], return_reason="too_small")
    events, said = await run(ActionLeaveForm(), make_tracker(slots=slots, intent="stop"))
    assert responses(said) == ["utter_form_stopped"]
    assert events == [
        SlotSet("order_number", None),
        SlotSet("return_items", None),
        SlotSet("return_reason", None),
    ]


# -- a change to the items, or a change that says not what -----------------------------------------

ITEMS_ANSWER = [{"response": "utter_order_items_change", "window_days": "30"}]


@pytest.mark.parametrize(
    ("form", "intent", "text"),
    [
        (ValidateCancelOrderForm, "cancel_order", "can i remove an item from my order"),
        (ValidateCancelOrderForm, "cancel_order", "can I change the size on my order before it ships"),
        (ValidateChangeAddressForm, "change_address", "I'd like to swap the colour of the jacket I ordered"),
        (ValidateChangeAddressForm, "change_address", "can I add another one to my order"),
    ],
)
async def test_a_change_to_the_items_is_answered_and_nothing_changes(form, intent: str, text: str) -> None:
    tracker = make_tracker(intent=intent, text=text, active_loop=form().name().removeprefix("validate_"))
    events, said = await run(form(), tracker)
    assert (events, said) == (STOP, ITEMS_ANSWER)


@pytest.mark.parametrize("text", ["can I change my order", "i want to edit my order", "modify order"])
async def test_a_change_that_says_not_what_is_asked_what(text: str) -> None:
    tracker = make_tracker(intent="change_address", text=text, active_loop="change_address_form")
    events, said = await run(ValidateChangeAddressForm(), tracker)
    assert (events, responses(said)) == (STOP, ["utter_order_change_which"])


@pytest.mark.parametrize(
    ("form", "intent", "text"),
    [
        (ValidateCancelOrderForm, "cancel_order", "cancel my order please"),
        (ValidateCancelOrderForm, "cancel_order", "cancel the whole order, I picked the wrong size"),
        (ValidateChangeAddressForm, "change_address", "I need to change the delivery address on my order"),
        (ValidateChangeAddressForm, "change_address", "/change_address"),
    ],
)
async def test_a_cancellation_or_an_address_change_goes_on_to_the_order_number(
    form, intent: str, text: str
) -> None:
    tracker = make_tracker(intent=intent, text=text, active_loop=form().name().removeprefix("validate_"))
    events, said = await run(form(), tracker)
    assert said == []
    assert STOP[0] not in events


def _address_change_messages() -> list:
    """Every change_address message written for training and for the held-out splits."""
    root = Path(__file__).resolve().parents[2]
    files = [
        *sorted((root / "data" / "nlu").glob("*.yml")),
        *sorted((root / "tests" / "nlu").glob("*data.yml")),
    ]
    texts = []
    for path in files:
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if block.get("intent") == "change_address":
                lines = [line.strip()[2:] for line in block["examples"].splitlines() if line.strip()]
                texts += [re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line) for line in lines]
    return texts


def test_every_address_change_written_for_the_model_goes_on_to_the_address() -> None:
    messages = _address_change_messages()
    assert len(messages) > 100
    taken = [text for text in messages if changes_items(text) or says_not_what_to_change(text)]
    assert taken == []
