"""The fake Shopify's returns: ``returnableFulfillments`` and ``returnRequest`` as Shopify documents them.

A return names fulfillment line items (``gid://shopify/FulfillmentLineItem/<id>``), each one line's
units in one fulfillment. What is returnable is what shipped minus what an open or requested
return already holds; a declined return frees its units again. ``returnRequest`` checks its
``ReturnRequestInput`` (2025-07: ``returnReason`` is a required ``ReturnReason``, a
``customerNote`` at most 300 characters) and refuses with ``userErrors`` whose ``field`` points at
the offending ``returnLineItems`` entry, as Shopify does.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from tests.fakes.shopify_store import (
    FULFILLMENT,
    FULFILLMENT_LINE_ITEM,
    RETURN,
    ShopData,
    fulfillment_line_items,
)

RETURN_REASONS = {
    "COLOR", "DEFECTIVE", "NOT_AS_DESCRIBED", "OTHER", "SIZE_TOO_LARGE", "SIZE_TOO_SMALL", "STYLE",
    "UNKNOWN", "UNWANTED", "WRONG_ITEM",
}  # fmt: skip
LINE_FIELDS = {"fulfillmentLineItemId", "quantity", "returnReason", "customerNote", "restockingFee"}
INPUT_FIELDS = {"orderId", "returnLineItems", "returnShippingFee"}
HOLDING = {"REQUESTED", "OPEN", "CLOSED"}  # statuses whose units are no longer returnable


class InvalidReturnInput(Exception):
    """A request Shopify rejects as invalid input (a GraphQL error, no data)."""


def held_units(data: ShopData, order_id: int) -> Dict[int, int]:
    """Units per fulfillment line item that returns already hold."""
    held: Dict[int, int] = {}
    for ret in data.returns.get(order_id, []):
        if ret["status"] in HOLDING:
            for item in ret["return_line_items"]:
                held[item["fulfillment_line_item_id"]] = (
                    held.get(item["fulfillment_line_item_id"], 0) + item["quantity"]
                )
    return held


def returnable(data: ShopData, order_id: int) -> Dict[int, Tuple[int, int, int]]:
    """``fulfillment line item id -> (fulfillment id, order line id, units still returnable)``."""
    order = data.order(order_id)
    if order is None:
        return {}
    held = held_units(data, order_id)
    found = {}
    for line_id, order_line, units in fulfillment_line_items(order):
        fulfillment_id = FULFILLMENT + (line_id - FULFILLMENT_LINE_ITEM) // 100
        found[line_id] = (fulfillment_id, order_line, max(0, units - held.get(line_id, 0)))
    return found


def returnable_fulfillments(data: ShopData, order_id: int, first: int) -> Dict[str, Any]:
    """The ``returnableFulfillments`` connection (fulfillments with something left to return)."""
    by_fulfillment: Dict[int, List[Dict[str, Any]]] = {}
    for line_id, (fulfillment_id, order_line, units) in returnable(data, order_id).items():
        if units:
            by_fulfillment.setdefault(fulfillment_id, []).append(
                {
                    "quantity": units,
                    "fulfillmentLineItem": {
                        "id": f"gid://shopify/FulfillmentLineItem/{line_id}",
                        "lineItem": {"id": f"gid://shopify/LineItem/{order_line}"},
                    },
                }
            )
    nodes = [
        {
            "id": f"gid://shopify/ReturnableFulfillment/{fulfillment_id}",
            "fulfillment": {"legacyResourceId": str(fulfillment_id)},
            "returnableFulfillmentLineItems": {"nodes": items},
        }
        for fulfillment_id, items in sorted(by_fulfillment.items())
    ][:first]
    return {"returnableFulfillments": {"nodes": nodes}}


def _gid(value: Any, resource: str) -> Optional[int]:
    prefix = f"gid://shopify/{resource}/"
    text = str(value)
    return int(text[len(prefix) :]) if text.startswith(prefix) and text[len(prefix) :].isdigit() else None


def _check_input(given: Any) -> None:
    if (
        not isinstance(given, dict)
        or set(given) - INPUT_FIELDS
        or _gid(given.get("orderId"), "Order") is None
    ):
        raise InvalidReturnInput("Variable $input of type ReturnRequestInput! was provided invalid value")
    items = given.get("returnLineItems")
    if not isinstance(items, list) or not items:
        raise InvalidReturnInput("Variable $input of type ReturnRequestInput! was provided invalid value")
    for index, item in enumerate(items):
        valid = (
            isinstance(item, dict)
            and not set(item) - LINE_FIELDS
            and _gid(item.get("fulfillmentLineItemId"), "FulfillmentLineItem") is not None
            and isinstance(item.get("quantity"), int)
            and item.get("returnReason") in RETURN_REASONS
            and len(item.get("customerNote") or "") <= 300
        )
        if not valid:
            raise InvalidReturnInput(
                f"Variable $input of type ReturnRequestInput! was provided invalid value for "
                f"returnLineItems.{index}"
            )


def return_request(data: ShopData, given: Any) -> Dict[str, Any]:
    """``returnRequest``: a REQUESTED return, or the user errors Shopify gives."""
    _check_input(given)
    order_id = _gid(given["orderId"], "Order")
    assert order_id is not None
    order = data.order(order_id)
    if order is None:
        error = {"field": ["input", "orderId"], "message": "Order does not exist", "code": "NOT_FOUND"}
        return {"returnRequest": {"return": None, "userErrors": [error]}}
    available = {line_id: units for line_id, (_, _, units) in returnable(data, order_id).items()}
    errors = []
    for index, item in enumerate(given["returnLineItems"]):
        line_id = _gid(item["fulfillmentLineItemId"], "FulfillmentLineItem")
        field = ["input", "returnLineItems", str(index)]
        if line_id not in available:
            errors.append(
                {
                    "field": [*field, "fulfillmentLineItemId"],
                    "message": "Fulfillment line item does not exist",
                    "code": "NOT_FOUND",
                }
            )
        elif not 0 < item["quantity"] <= available[line_id]:
            errors.append(
                {
                    "field": [*field, "quantity"],
                    "message": "Quantity is not available for return",
                    "code": "INVALID",
                }
            )
        else:
            available[line_id] -= item["quantity"]
    if errors:
        return {"returnRequest": {"return": None, "userErrors": errors}}
    returns = data.returns.setdefault(order_id, [])
    ret = {
        "id": RETURN + sum(len(r) for r in data.returns.values()),
        "name": f"{order['name']}-R{len(returns) + 1}",
        "status": "REQUESTED",
        "return_line_items": [
            {
                "fulfillment_line_item_id": _gid(item["fulfillmentLineItemId"], "FulfillmentLineItem"),
                "quantity": item["quantity"],
                "return_reason": item["returnReason"],
                "customer_note": item.get("customerNote"),
            }
            for item in given["returnLineItems"]
        ],
    }
    returns.append(ret)
    node = {"id": f"gid://shopify/Return/{ret['id']}", "name": ret["name"], "status": ret["status"]}
    return {"returnRequest": {"return": node, "userErrors": []}}


def return_webhook(data: ShopData, order_id: int, ret: Dict[str, Any], status: str) -> Dict[str, Any]:
    """The payload of a ``returns/*`` webhook for ``ret`` at ``status`` (``requested``, ``open``,
    ``declined``, ``canceled``, ``closed``): the return as its REST resource, as Shopify's sample
    payloads show it (ids with their ``admin_graphql_api_id``, reasons in lower case)."""
    order = data.order(order_id)
    assert order is not None
    line_of = {fulfillment_line: line for fulfillment_line, line, _ in fulfillment_line_items(order)}
    items = [
        {
            "id": ret["id"] * 10 + position,
            "admin_graphql_api_id": f"gid://shopify/ReturnLineItem/{ret['id'] * 10 + position}",
            "fulfillment_line_item": {
                "id": item["fulfillment_line_item_id"],
                "admin_graphql_api_id": f"gid://shopify/FulfillmentLineItem/{item['fulfillment_line_item_id']}",
                "line_item": {
                    "id": line_of[item["fulfillment_line_item_id"]],
                    "admin_graphql_api_id": f"gid://shopify/LineItem/{line_of[item['fulfillment_line_item_id']]}",
                },
            },
            "quantity": item["quantity"],
            "return_reason": item["return_reason"].lower(),
            "return_reason_note": "",
            "customer_note": item.get("customer_note"),
        }
        for position, item in enumerate(ret["return_line_items"])
    ]
    payload = {
        "id": ret["id"],
        "admin_graphql_api_id": f"gid://shopify/Return/{ret['id']}",
        "status": status,
        "order": {"id": order_id, "admin_graphql_api_id": f"gid://shopify/Order/{order_id}"},
        "total_return_line_items": len(items),
        "name": ret["name"],
        "return_line_items": items,
        "return_shipping_fees": [],
        "exchange_line_items": [],
        "total_exchange_line_items": 0,
    }
    if status == "declined":
        payload["decline"] = {"reason": "final_sale", "note": None}
    return payload


__all__ = [
    "InvalidReturnInput",
    "return_request",
    "return_webhook",
    "returnable_fulfillments",
]
