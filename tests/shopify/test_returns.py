"""Returns requested of the fake shop (``returnRequest``) before the store writes them."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple
from unittest.mock import ANY

import pytest
from rasa_sdk.events import SlotSet
from sqlalchemy import select
from sqlalchemy.engine import Engine

from actions import returns as return_actions
from actions.returns import RETURN_SLOTS, ActionSubmitReturn
from integrations.shopify import documents
from integrations.shopify.returns import request_return_in_shop
from store.codes import HandoffReason, ReturnFailure, ReturnRefusal
from store.db import session_scope
from store.models import Order, Return
from tests.actions.order_support import run
from tests.fakes.shopify_admin import FakeShopifyAdmin
from tests.fakes.shopify_store import fulfillment_line_items
from tests.shopify.conftest import connection_to
from tests.shopify.test_sync import snapshot
from tests.support.trackers import make_tracker

AVA = "ava.shopper@example.com"
RESET = [SlotSet(slot, None) for slot in RETURN_SLOTS]


def _lines(engine: Engine, number: int) -> Dict[str, Tuple[int, int]]:
    """The order's lines by product title: (store id, Shopify id)."""
    with session_scope(engine) as session:
        order = session.execute(select(Order).where(Order.number == number)).scalar_one()
        return {line.title.split(" - ")[0]: (line.id, line.shopify_id) for line in order.line_items}


def _returns(engine: Engine, number: int) -> List[Tuple[str, str, str, List[Tuple[int, int]]]]:
    with session_scope(engine) as session:
        order = session.execute(select(Order).where(Order.number == number)).scalar_one()
        stmt = select(Return).where(Return.order_id == order.id).order_by(Return.id)
        rows = session.execute(stmt).scalars()
        return [
            (r.rma, r.status, r.shopify_id or "", sorted((i.line_item_id, i.quantity) for i in r.items))
            for r in rows
        ]


def _shipped_line(fake: FakeShopifyAdmin, name: str, line_shopify_id: int) -> int:
    order = fake.data.order_named(name)
    return next(fli for fli, line, _ in fulfillment_line_items(order) if line == line_shopify_id)


async def _request(fake: FakeShopifyAdmin, items: List[Tuple[int, int]], **more: Any) -> Any:
    return await request_return_in_shop(
        connection_to(fake), order_number="1010", contact=AVA, items=items,
        reason=more.get("reason", "too_small"), resolution=more.get("resolution", "refund"),
    )  # fmt: skip


async def test_a_return_is_requested_from_the_returnable_fulfillments_and_the_store_keeps_shopifys_answer(
    fake_shop: FakeShopifyAdmin, linked_store: Engine
) -> None:
    pocket, shopify_line = _lines(linked_store, 1010)["Pocket Tee"]
    before = _returns(linked_store, 1010)
    result = await _request(fake_shop, [(pocket, 1)])
    order_id = documents.gid("Order", fake_shop.data.order_named("#1010")["id"])
    assert fake_shop.calls("ReturnableFulfillments") == [{"orderId": order_id, "first": 50}]
    assert fake_shop.calls("ReturnRequest") == [
        {
            "input": {
                "orderId": order_id,
                "returnLineItems": [
                    {
                        "fulfillmentLineItemId": "gid://shopify/FulfillmentLineItem/"
                        f"{_shipped_line(fake_shop, '#1010', shopify_line)}",
                        "quantity": 1,
                        "returnReason": "SIZE_TOO_SMALL",
                        "customerNote": "Asked through the store assistant: refund",
                    }
                ],
            }
        }
    ]
    sent = [r for r in fake_shop.requests if "ReturnRequest(" in str((r.body or {}).get("query"))]
    assert sent[-1].body["query"] == documents.RETURN_REQUEST
    (opened,) = fake_shop.data.returns[fake_shop.data.order_named("#1010")["id"]][-1:]
    assert (result.ok, result.created, result.rma) == (True, True, opened["name"])
    assert opened["status"] == "REQUESTED" and opened["name"].startswith("#1010-R")
    assert _returns(linked_store, 1010) == [
        *before,
        (opened["name"], "requested", f"gid://shopify/Return/{opened['id']}", [(pocket, 1)]),
    ]
    again = await _request(fake_shop, [(pocket, 1)])  # the same request: the same return, nothing sent
    assert (again.ok, again.created, again.rma) == (True, False, opened["name"])
    assert len(fake_shop.calls("ReturnRequest")) == 1


async def test_an_item_shopify_has_nothing_left_of_is_refused_as_not_returnable_and_nothing_is_sent(
    fake_shop: FakeShopifyAdmin, linked_store: Engine
) -> None:
    pocket, shopify_line = _lines(linked_store, 1010)["Pocket Tee"]
    order = fake_shop.data.order_named("#1010")
    # the store team opened a return in Shopify's admin that the store has not heard of
    line = _shipped_line(fake_shop, "#1010", shopify_line)
    fake_shop.data.returns.setdefault(order["id"], []).append(
        {"id": 1, "name": "#1010-R9", "status": "OPEN",
         "return_line_items": [{"fulfillment_line_item_id": line, "quantity": 99, "return_reason": "OTHER"}]}
    )  # fmt: skip
    before = snapshot(linked_store)
    result = await _request(fake_shop, [(pocket, 1)])
    assert (result.ok, result.reason) == (False, ReturnFailure.NOT_ELIGIBLE)
    assert [(e.line_item_id, e.reason) for e in result.ineligible] == [
        (pocket, ReturnRefusal.NOT_RETURNABLE_IN_SHOP)
    ]
    assert not fake_shop.calls("ReturnRequest")
    assert snapshot(linked_store) == before


async def test_user_errors_on_a_line_become_that_items_refusal(
    fake_shop: FakeShopifyAdmin, linked_store: Engine
) -> None:
    pocket, shopify_line = _lines(linked_store, 1010)["Pocket Tee"]
    order = fake_shop.data.order_named("#1010")
    line = _shipped_line(fake_shop, "#1010", shopify_line)

    def returned_meanwhile(operation: str) -> None:  # between the query and the mutation
        if operation == "ReturnRequest":
            fake_shop.data.returns.setdefault(order["id"], []).append(
                {"id": 2, "name": "#1010-R8", "status": "REQUESTED",
                 "return_line_items": [{"fulfillment_line_item_id": line, "quantity": 99}]}
            )  # fmt: skip

    fake_shop.before_operation = returned_meanwhile
    before = snapshot(linked_store)
    result = await _request(fake_shop, [(pocket, 1)])
    assert fake_shop.requests[-1].status == 200 and not fake_shop.calls("ReturnRequest")[1:]
    assert (result.ok, result.reason) == (False, ReturnFailure.NOT_ELIGIBLE)
    assert [e.reason for e in result.ineligible] == [ReturnRefusal.NOT_RETURNABLE_IN_SHOP]
    assert snapshot(linked_store) == before


async def test_an_unreachable_shop_or_an_unlinked_order_changes_nothing_and_goes_to_a_person(
    fake_shop: FakeShopifyAdmin, linked_store: Engine
) -> None:
    pocket, _ = _lines(linked_store, 1010)["Pocket Tee"]
    before = snapshot(linked_store)
    revoked = await request_return_in_shop(
        connection_to(fake_shop, token="shpat_revoked"), order_number="1010", contact=AVA,
        items=[(pocket, 1)], reason="too_small", resolution="refund",
    )  # fmt: skip
    assert (revoked.ok, revoked.reason) == (False, ReturnFailure.SHOP_REFUSED)
    with session_scope(linked_store) as session:
        session.execute(select(Order).where(Order.number == 1010)).scalar_one().shopify_id = None
    unlinked = await _request(fake_shop, [(pocket, 1)])
    assert (unlinked.ok, unlinked.reason) == (False, ReturnFailure.SHOP_REFUSED)
    assert not fake_shop.calls("ReturnRequest")
    after = snapshot(linked_store)
    assert after["returns"] == before["returns"] and after["return_items"] == before["return_items"]


async def test_the_store_still_refuses_what_its_rules_refuse_without_asking_shopify(
    fake_shop: FakeShopifyAdmin, linked_store: Engine
) -> None:
    trunks, _ = _lines(linked_store, 1010)["Swim Trunks"]
    result = await _request(fake_shop, [(trunks, 1)])
    assert [e.reason for e in result.ineligible] == [ReturnRefusal.FINAL_SALE]
    assert not fake_shop.calls("ReturnableFulfillments") and not fake_shop.calls("ReturnRequest")


@pytest.fixture
def shop_connected(fake_shop: FakeShopifyAdmin, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(return_actions, "shop_connection", lambda: connection_to(fake_shop))


def _confirmed(line: int) -> Any:
    return make_tracker(
        slots={
            "order_number": "1010", "order_contact": AVA, "verified_order": "1010", "return_items": [line],
            "return_reason": "too_small", "return_condition": True, "return_resolution": "refund",
            "return_confirmed": True,
        }
    )  # fmt: skip


async def test_the_assistant_gives_shopifys_return_name(
    fake_shop: FakeShopifyAdmin, linked_store: Engine, shop_connected: None
) -> None:
    pocket, _ = _lines(linked_store, 1010)["Pocket Tee"]
    events, said = await run(ActionSubmitReturn(), _confirmed(pocket))
    (opened,) = fake_shop.data.returns[fake_shop.data.order_named("#1010")["id"]][-1:]
    assert [m["response"] for m in said] == ["utter_return_created_refund"]
    assert said[0]["rma"] == opened["name"]
    assert events == [*RESET, SlotSet("last_rma", opened["name"])]


async def test_the_assistant_tells_an_item_shopify_will_not_take_back_as_such(
    fake_shop: FakeShopifyAdmin, linked_store: Engine, shop_connected: None
) -> None:
    pocket, shopify_line = _lines(linked_store, 1010)["Pocket Tee"]
    line = _shipped_line(fake_shop, "#1010", shopify_line)
    fake_shop.data.returns.setdefault(fake_shop.data.order_named("#1010")["id"], []).append(
        {"id": 3, "name": "#1010-R7", "status": "OPEN",
         "return_line_items": [{"fulfillment_line_item_id": line, "quantity": 99}]}
    )  # fmt: skip
    events, said = await run(ActionSubmitReturn(), _confirmed(pocket))
    assert [(m["response"], m["item"]) for m in said] == [("utter_return_refused_other", ANY)]
    assert said[0]["item"].startswith("Pocket Tee")
    assert events == RESET


async def test_a_shop_refusal_with_no_shopper_reason_hands_over(
    fake_shop: FakeShopifyAdmin, linked_store: Engine, shop_connected: None
) -> None:
    pocket, _ = _lines(linked_store, 1010)["Pocket Tee"]
    fake_shop.token = "shpat_rotated"  # the app's token no longer works
    events, said = await run(ActionSubmitReturn(), _confirmed(pocket))
    assert [m["response"] for m in said] == ["utter_return_failed"]
    assert events == [*RESET, SlotSet("handoff_reason", HandoffReason.ACTION_FAILED)]
